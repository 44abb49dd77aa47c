import Foundation
import JupyterKernel
import RichDisplay
import RigorScript
import Widgets

/// A widget's comm messages, published through a request's publisher (so they have that request as parent).
final class PublisherWidgetTransport: WidgetTransport, @unchecked Sendable {
    let publisher: Publisher

    init(_ publisher: Publisher) { self.publisher = publisher }

    func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue) {
        publisher.openComm(id: id, targetName: targetName, data: data, metadata: metadata)
    }

    func sendComm(id: String, data: JSONValue) { publisher.sendCommMessage(id: id, data: data) }

    func closeComm(id: String) { publisher.closeComm(id: id) }
}

/// The publisher of the comm message being handled on this thread, while the widget layer calls observers: the
/// parent of the handler runs they queue.
enum WidgetTrigger {
    final class Box: @unchecked Sendable {
        let publisher: Publisher
        init(_ publisher: Publisher) { self.publisher = publisher }
    }

    @TaskLocal static var current: Box?
}

/// Script work that widgets cause (an `onChange` or `onClick` handler, an `interact` re-run), run one job at a
/// time on its own thread, each with the interpreter's script lock held (so a job never runs while a cell does;
/// `perform` runs its script on the session's executor).
///
/// A job may have a key: queueing a job whose key is already queued replaces the queued one (only the latest
/// values run), and if a job with that key is running, it is interrupted (its result would be stale). A job may
/// wait (`delay`) before it runs, so a burst of slider moves makes one run (debouncing).
final class WidgetWorkQueue: @unchecked Sendable {
    struct Job {
        let key: String?
        let due: ContinuousClock.Instant
        let trigger: Publisher?
        /// Whether the job publishes busy … idle with `trigger` as parent (for a comm message, which was answered
        /// already; not for a cell, whose own idle must stay the last status with its parent).
        let announces: Bool
        let work: () -> Void
    }

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var runningKey: String?
    private var interruptedRunning = false
    private var stopped = false

    private let scriptLock: NSLock
    private let perform: (Job) -> Void
    private let interrupt: () -> Void
    private let clearInterrupt: () -> Void

    /// `perform` runs a job with `scriptLock` held (the lock cells hold while they run).
    init(
        scriptLock: NSLock, perform: @escaping (Job) -> Void, interrupt: @escaping () -> Void,
        clearInterrupt: @escaping () -> Void
    ) {
        self.scriptLock = scriptLock
        self.perform = perform
        self.interrupt = interrupt
        self.clearInterrupt = clearInterrupt
        let thread = Thread { [self] in loop() }
        thread.name = "rigor-widget-work"
        thread.start()
    }

    /// Queues `work`; see the type's description for `key` and `delay`.
    func enqueue(
        key: String? = nil, delay: Duration = .zero, trigger: Publisher?, announces: Bool = true,
        _ work: @escaping () -> Void
    ) {
        condition.lock()
        let job = Job(key: key, due: .now + delay, trigger: trigger, announces: announces, work: work)
        if let key, let index = jobs.firstIndex(where: { $0.key == key }) {
            jobs[index] = job
        } else {
            jobs.append(job)
        }
        if let key, runningKey == key, !interruptedRunning {
            interruptedRunning = true
            interrupt()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a job with this key waits to run.
    func hasQueued(key: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return jobs.contains { $0.key == key }
    }

    func stop() {
        condition.lock()
        stopped = true
        jobs.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while !stopped {
            guard let first = jobs.indices.min(by: { jobs[$0].due < jobs[$1].due }) else {
                condition.wait()
                continue
            }
            let now = ContinuousClock.now
            if jobs[first].due > now {
                let (seconds, attoseconds) = (jobs[first].due - now).components
                _ = condition.wait(until: Date().addingTimeInterval(Double(seconds) + Double(attoseconds) * 1e-18))
                continue
            }
            let job = jobs.remove(at: first)
            condition.unlock()
            // A cell may be running: wait for it. Only then can this job be interrupted by a newer one.
            scriptLock.lock()
            condition.lock()
            if let key = job.key, jobs.contains(where: { $0.key == key }) {
                // A newer job with the same key came while this one waited: this one is stale.
                condition.unlock()
                scriptLock.unlock()
                condition.lock()
                continue
            }
            runningKey = job.key
            condition.unlock()
            perform(job)
            condition.lock()
            if interruptedRunning {
                // The interrupt was meant for that job only: cleared before a cell may run.
                clearInterrupt()
                interruptedRunning = false
            }
            runningKey = nil
            condition.unlock()
            scriptLock.unlock()
            condition.lock()
        }
        condition.unlock()
    }
}
