import ArgumentParser

/// The `rigor` command: runs scripts and (with the kernel targets) serves Jupyter.
@main
struct Rigor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rigor",
        abstract: "Rigor: a Swift-like language for deep learning, and its Jupyter kernel.",
        version: RigorVersion.current,
        subcommands: [RunCommand.self, KernelCommand.self, InstallCommand.self, ServeCommand.self]
    )
}

enum RigorVersion {
    static let current = "0.1.0"
}
