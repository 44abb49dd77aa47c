import ArgumentParser
import Foundation
import JupyterKernel
import RigorKernel

/// `rigor install`: writes the kernelspec (kernel.json with this binary's absolute path, and
/// the logos) where Jupyter finds it, like `python -m ipykernel install`.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the Rigor kernelspec so Jupyter can start this binary.")

    @Flag(help: "Install for the current user (the default).")
    var user = false

    @Flag(
        name: .customLong("sys-prefix"),
        help: "Install into the active Python environment (VIRTUAL_ENV or CONDA_PREFIX).")
    var sysPrefix = false

    @Option(help: "Install into PREFIX/share/jupyter/kernels.")
    var prefix: String?

    @Option(help: "The kernelspec name (ASCII letters, digits, '-', '.', '_').")
    var name = "rigor"

    @Option(name: .customLong("display-name"), help: "The name shown in Jupyter's kernel menus.")
    var displayName = "Rigor"

    func validate() throws {
        if [user, sysPrefix, prefix != nil].filter({ $0 }).count > 1 {
            throw ValidationError("use at most one of --user, --sys-prefix and --prefix")
        }
        if !Kernelspec.isValidName(name) {
            throw ValidationError(KernelspecError.invalidName(name).description)
        }
    }

    func run() throws {
        let location: Kernelspec.Location
        if let prefix {
            location = .prefix(URL(fileURLWithPath: prefix).standardizedFileURL.path)
        } else if sysPrefix {
            let environment = ProcessInfo.processInfo.environment
            guard let environmentPrefix = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"] else {
                throw ValidationError(KernelspecError.noPythonEnvironment.description)
            }
            location = .prefix(environmentPrefix)
        } else {
            location = .user
        }
        let directory = try RigorKernelspec.install(
            executablePath: Self.executablePath, location: location, name: name, displayName: displayName)
        print("Installed kernelspec \(name.lowercased()) in \(directory.path)")
    }

    /// The absolute, symlink-free path of the running binary.
    static var executablePath: String {
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath().path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            .resolvingSymlinksInPath().path
    }
}
