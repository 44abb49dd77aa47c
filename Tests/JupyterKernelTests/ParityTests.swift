import Foundation
import RichDisplay
import Testing

@testable import JupyterKernel

@Suite("ipykernel 7 parity: replays, fast failures, subshells, persistent history", .timeLimit(.minutes(1)))
struct ParityTests {
    @Test("a replayed message is dropped and logged, on the same channel and on another")
    func replay() throws {
        let kernel = KernelHarness()
        let request = kernel.makeRequest("execute_request", content: ["code": "print once"])
        let frames = kernel.codec.encode(request)
        kernel.sendRaw(frames, on: .shell)
        kernel.sendRaw(frames, on: .shell)
        #expect(kernel.nextReply()?.parentMessageID == request.header.messageID)
        let streams = kernel.iopub(for: request).filter { $0.messageType == "stream" }
        #expect(streams.map { $0.content["text"] } == ["once\n"])
        // One digest history for every channel (sent after the reply: the control thread would
        // otherwise race the shell thread for the first sight of the signature).
        kernel.sendRaw(frames, on: .control)
        #expect(kernel.isResponsive())
        #expect(kernel.nextReply(timeout: .milliseconds(100)) == nil)
        #expect(kernel.logs.filter { $0.contains("duplicate signature") }.count == 2)
        _ = kernel.shutdown()
    }

    @Test("the digest history is bounded: the oldest signatures are forgotten first")
    func digestHistory() {
        let history = DigestHistory(capacity: 3)
        for name in ["a", "b", "c"] { #expect(history.insert(Data(name.utf8))) }
        #expect(!history.insert(Data("b".utf8)))
        #expect(history.insert(Data("d".utf8)))
        #expect(history.count == 3)
        #expect(history.insert(Data("a".utf8)), "the oldest was forgotten")
        #expect(!history.insert(Data("d".utf8)))
    }

    @Test("a cell that fails at once still aborts execute requests sent right behind it")
    func fastFailureAbortsLaterArrivals() throws {
        // A wide window, so a loaded machine's late wake-ups cannot make the test flaky.
        let kernel = KernelHarness(stopOnErrorWindow: .milliseconds(200))
        let failing = kernel.send("execute_request", ["code": "fail fast"])
        Thread.sleep(forTimeInterval: 0.01)  // the failure is answered long before this
        let late = kernel.send("execute_request", ["code": "print never"])
        Thread.sleep(forTimeInterval: 0.02)
        let later = kernel.send("execute_request", ["code": "print never either"])
        #expect(kernel.nextReply()?.parentMessageID == failing.header.messageID)
        for request in [late, later] {
            let reply = try #require(kernel.nextReply())
            #expect(reply.parentMessageID == request.header.messageID)
            #expect(reply.content == ["status": "aborted"])
        }
        // Sent after the error reply was seen: runs.
        #expect(kernel.execute("print runs").reply?.content["status"] == "ok")
        _ = kernel.shutdown()
    }

    @Test("subshells: created, listed and deleted on control; their requests answered while a cell runs")
    func subshells() throws {
        let kernel = KernelHarness()
        let created = kernel.roundTrip("create_subshell_request", on: .control).reply
        let id = try #require(created?.content["subshell_id"]?.stringValue)
        #expect(kernel.roundTrip("list_subshell_request", on: .control).reply?.content["subshell_id"] == [.string(id)])

        let cell = kernel.send("execute_request", ["code": "loop"])
        Thread.sleep(forTimeInterval: 0.05)
        var request = kernel.makeRequest("complete_request", content: ["code": "pri", "cursor_pos": 3])
        request.header.json = request.header.json.setting("subshell_id", to: .string(id))
        let start = ContinuousClock.now
        kernel.sendRaw(kernel.codec.encode(request), on: .shell)
        let reply = try #require(kernel.nextReply())
        #expect(ContinuousClock.now - start < .milliseconds(500))
        #expect(reply.parentMessageID == request.header.messageID)
        // The mock has no concurrent assistant: while the cell runs, a subshell knows nothing.
        #expect(reply.content["matches"] == [])
        kernel.interrupt()
        #expect(kernel.nextReply()?.parentMessageID == cell.header.messageID)

        // Idle: the subshell uses the interpreter itself.
        var idle = kernel.makeRequest("complete_request", content: ["code": "pri", "cursor_pos": 3])
        idle.header.json = idle.header.json.setting("subshell_id", to: .string(id))
        kernel.sendRaw(kernel.codec.encode(idle), on: .shell)
        #expect(kernel.nextReply()?.content["matches"] == ["print"])

        #expect(
            kernel.roundTrip("delete_subshell_request", ["subshell_id": .string(id)], on: .control).reply?
                .content["status"] == "ok")
        #expect(kernel.roundTrip("list_subshell_request", on: .control).reply?.content["subshell_id"] == [])
        // A request for a subshell that is gone: an error reply with busy and idle, as ipykernel 7.4.
        var stale = kernel.makeRequest("kernel_info_request", content: [:])
        stale.header.json = stale.header.json.setting("subshell_id", to: .string(id))
        kernel.sendRaw(kernel.codec.encode(stale), on: .shell)
        let refused = try #require(kernel.nextReply())
        #expect(refused.messageType == "kernel_info_reply")
        #expect(refused.content["ename"] == "UnknownSubshellError")
        #expect(kernel.iopub(for: stale).map { $0.content["execution_state"] } == ["busy", "idle"])
        #expect(kernel.isResponsive())
        _ = kernel.shutdown()
    }

    @Test("history persists across sessions in SQLite; range -1, search with unique and n")
    func persistentHistory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-history-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/history.sqlite").path
        let first = History(location: .file(path), logger: .silent)
        #expect(first.isPersistent)
        first.record(line: 1, input: "let a = 1", output: nil)
        first.record(line: 2, input: "a + 1", output: "2")
        first.close()

        let second = History(location: .file(path), logger: .silent)
        #expect(second.session == first.session + 1)
        second.record(line: 1, input: "a + 1", output: "2")
        #expect(second.range(session: -1, start: 1, stop: nil).map(\.input) == ["let a = 1", "a + 1"])
        #expect(second.range(session: first.session, start: 2, stop: 3).map(\.output) == ["2"])
        #expect(second.range(session: 0, start: 1, stop: nil).map(\.input) == ["a + 1"])
        #expect(second.tail(2).map { [$0.session, $0.line] } == [[first.session, 2], [second.session, 1]])
        #expect(second.search(pattern: "a *", limit: nil, unique: false).count == 2)
        #expect(second.search(pattern: "a *", limit: nil, unique: true).map(\.session) == [second.session])
        #expect(second.search(pattern: "*", limit: 1, unique: false).map(\.session) == [second.session])
        second.close()
    }

    @Test("an unusable history file is logged and history stays in memory")
    func unusableHistoryFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-not-a-db-\(UUID())")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(repeating: 0x41, count: 4096).write(to: file)
        let lines = LogLines()
        let history = History(location: .file(file.path), logger: KernelLogger { lines.append($0) })
        #expect(!history.isPersistent)
        #expect(history.session == 1)
        history.record(line: 1, input: "x", output: nil)
        #expect(history.tail(5).map(\.input) == ["x"])
        #expect(lines.all.contains { $0.contains("history: cannot use") })
    }

    @Test("RIGOR_HISTORY_FILE chooses the file; the default is under the Jupyter data dir")
    func historyLocation() {
        #expect(History.Location.fromEnvironment(["RIGOR_HISTORY_FILE": "/tmp/h.sqlite"]) == .file("/tmp/h.sqlite"))
        #expect(History.Location.fromEnvironment(["RIGOR_HISTORY_FILE": ":memory:"]) == .memory)
        #expect(History.Location.fromEnvironment(["RIGOR_HISTORY_FILE": ""]) == .memory)
        #expect(
            History.Location.fromEnvironment(["JUPYTER_DATA_DIR": "/data"]) == .file("/data/rigor/history.sqlite"))
    }
}

/// Log lines collected from any thread.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

extension JSONValue {
    /// A copy of this object with `key` set.
    func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[key] = value
        return .object(members)
    }
}
