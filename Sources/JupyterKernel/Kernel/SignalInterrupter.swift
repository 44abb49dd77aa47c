import Dispatch
import Foundation

/// Turns SIGINT into a kernel interrupt (for `interrupt_mode: "signal"` front ends and Ctrl-C in
/// a terminal), instead of the default of killing the process.
public final class SignalInterrupter {
    private let source: any DispatchSourceSignal

    public init(handle: InterruptHandle, signal number: Int32 = SIGINT) {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { handle.interrupt() }
        source.resume()
        self.source = source
    }

    deinit { source.cancel() }
}
