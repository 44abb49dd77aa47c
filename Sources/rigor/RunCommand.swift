import ArgumentParser
import RigorKernel

/// `rigor run FILE.rigor`: runs a script, printing what it prints; diagnostics go to stderr and
/// the exit status is 1 (`ScriptRunner` does the work).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a Rigor script.")

    @Argument(help: "The script to run (a .rigor file).")
    var file: String

    func run() throws {
        let status = ScriptRunner.run(path: file)
        if status != 0 { throw ExitCode(status) }
    }
}
