import Foundation
import RichDisplay
import Testing

@testable import JupyterKernel

@Suite("Kernelspec: kernel.json model and install")
struct KernelspecTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the shipped template reads back with message interrupts and the connection-file placeholder")
    func template() throws {
        let spec = try Kernelspec(json: Data(contentsOf: Self.root.appendingPathComponent("kernelspec/kernel.json")))
        #expect(spec.interruptMode == "message")
        #expect(spec.argv.contains("{connection_file}"))
        #expect(spec.language == "rigor")
        #expect(try Kernelspec(json: spec.json) == spec)
    }

    @Test("install writes kernel.json and the files into kernels/<name>, replacing an older install")
    func install() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = Kernelspec(
            argv: ["/bin/rigor", "kernel", "-f", "{connection_file}"], displayName: "Rigor", language: "rigor")
        try spec.install(into: directory, name: "Old", files: ["stale.txt": Data()])
        let installed = try spec.install(into: directory, name: "Old", files: ["logo-32x32.png": Data([1, 2])])
        #expect(installed.lastPathComponent == "old")
        let names = try FileManager.default.contentsOfDirectory(atPath: installed.path).sorted()
        #expect(names == ["kernel.json", "logo-32x32.png"])
        let json = try JSONValue(parsing: Data(contentsOf: installed.appendingPathComponent("kernel.json")))
        #expect(json["display_name"] == "Rigor")
        #expect(json["interrupt_mode"] == "message")
        #expect(throws: KernelspecError.invalidName("no/slash")) { try spec.install(into: directory, name: "no/slash") }
    }

    @Test("locations: --user honours JUPYTER_DATA_DIR, --prefix uses share/jupyter/kernels")
    func locations() {
        #expect(
            Kernelspec.Location.user.kernelsDirectory(environment: ["JUPYTER_DATA_DIR": "/data"]).path
                == "/data/kernels")
        #expect(Kernelspec.Location.prefix("/venv").kernelsDirectory().path == "/venv/share/jupyter/kernels")
        #if os(Linux)
            #expect(
                Kernelspec.Location.user.kernelsDirectory(environment: ["HOME": "/home/a"]).path
                    == "/home/a/.local/share/jupyter/kernels")
        #endif
    }
}
