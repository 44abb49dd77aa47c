import Foundation
import JupyterKernel

/// The Rigor kernelspec, from the `kernelspec/` template, pointed at a concrete binary.
public enum RigorKernelspec {
    /// The spec for the `rigor` binary at `executablePath`, shown as `displayName`.
    public static func make(executablePath: String, displayName: String = "Rigor") -> Kernelspec {
        // The template is checked in and tested, so decoding it cannot fail at run time.
        var spec = try! Kernelspec(json: Data(KernelspecResources.kernelJSON.utf8))
        spec.argv[0] = executablePath
        spec.displayName = displayName
        return spec
    }

    /// `kernel.json` plus the logos, written into `<location>/…/kernels/<name>/`.
    @discardableResult
    public static func install(
        executablePath: String, location: Kernelspec.Location, name: String = "rigor", displayName: String = "Rigor"
    ) throws -> URL {
        try make(executablePath: executablePath, displayName: displayName)
            .install(into: location.kernelsDirectory(), name: name, files: KernelspecResources.logos)
    }
}
