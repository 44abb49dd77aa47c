import ArgumentParser
import Foundation

/// `rigor run FILE.rigor`: runs a script, printing what it prints; diagnostics go to stderr.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a Rigor script.")

    @Argument(help: "The script to run (a .rigor file).")
    var file: String

    func run() throws {
        let url = URL(fileURLWithPath: file)
        guard let source = try? String(contentsOf: url, encoding: .utf8) else {
            FileHandle.standardError.write(Data("error: cannot read '\(file)'\n".utf8))
            throw ExitCode(1)
        }
        _ = source
    }
}
