/// Why a kernelspec could not be installed.
public enum KernelspecError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case noPythonEnvironment

    public var description: String {
        switch self {
        case .invalidName(let name):
            "invalid kernel name '\(name)': use ASCII letters, digits, '-', '.' and '_'"
        case .noPythonEnvironment:
            "--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX), or use --prefix"
        }
    }
}
