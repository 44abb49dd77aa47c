import ArgumentParser
import Foundation
import RigorKernel

/// The `rigor` command: runs scripts and (with the kernel targets) serves Jupyter.
@main
struct Rigor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rigor",
        abstract: "Rigor: a Swift-like language for deep learning, and its Jupyter kernel.",
        version: RigorVersion.current,
        subcommands: [RunCommand.self, KernelCommand.self, InstallCommand.self, ServeCommand.self]
    )

    /// `rigor run FILE` (a path, not an option) runs at once: ArgumentParser's parse of the command tree costs
    /// ~18 M instructions of runtime reflection, a fifth of a short script's start-up. Anything else, `rigor run
    /// --help` included, goes through ArgumentParser.
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "run", !arguments[2].hasPrefix("-") {
            Foundation.exit(ScriptRunner.run(path: arguments[2]))
        }
        main(nil)
    }
}

enum RigorVersion {
    static let current = "0.1.0"
}
