import Foundation
import JupyterKernel
import Testing

@testable import RigorKernel

@Suite("The embedded kernelspec matches kernelspec/")
struct KernelspecResourcesTests {
    private static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("kernelspec")

    @Test("kernel.json and the three logos are byte-for-byte the files in kernelspec/")
    func inSync() throws {
        let kernelJSON = try String(contentsOf: Self.folder.appendingPathComponent("kernel.json"), encoding: .utf8)
        #expect(KernelspecResources.kernelJSON + "\n" == kernelJSON)
        for (name, data) in KernelspecResources.logos {
            #expect(try Data(contentsOf: Self.folder.appendingPathComponent(name)) == data, "\(name) drifted")
        }
    }

    @Test("the installed spec runs the given binary with message interrupts")
    func installedSpec() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-spec-\(UUID())")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let directory = try RigorKernelspec.install(
            executablePath: "/opt/rigor/bin/rigor", location: .prefix(prefix.path), name: "rigor",
            displayName: "Rigor 1")
        let spec = try Kernelspec(json: Data(contentsOf: directory.appendingPathComponent("kernel.json")))
        #expect(spec.argv == ["/opt/rigor/bin/rigor", "kernel", "--connection-file", "{connection_file}"])
        #expect(spec.displayName == "Rigor 1")
        #expect(spec.interruptMode == "message")
        // jupyter_client 8.10 reads these: the protocol version, and whether it may start the
        // kernel with CurveZMQ keys (transport_encryption "auto" or "required").
        #expect(spec.kernelProtocolVersion == "5.5")
        #expect(spec.metadata?["supported_encryption"] == ["curve"])
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"])
    }
}
