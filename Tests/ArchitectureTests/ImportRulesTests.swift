import Foundation
import Testing

/// The layering of docs/architecture.md, as data: which project targets each target may import.
/// External modules (Foundation, ArgumentParser, Crypto, OrderedCollections, …) are always allowed;
/// a project target missing from a row is forbidden.
private let allowedImports: [String: Set<String>] = [
    "CBLAS": [],
    "CFloatKernels": [],
    "TensorCore": ["CBLAS", "CFloatKernels"],
    "NeuralNetworks": ["TensorCore"],
    "ModelInsight": ["NeuralNetworks", "TensorCore", "RichDisplay"],
    "RichDisplay": [],
    "Search": ["NeuralNetworks", "TensorCore", "RichDisplay"],
    "PostgresBridge": [],
    "SearchPostgres": ["Search", "PostgresBridge"],
    "Widgets": ["RichDisplay"],
    "RunLog": [],
    "RunLogPostgres": ["RunLog", "PostgresBridge"],
    "RigorScript": [],
    "RigorLibrary": [
        "RigorScript", "TensorCore", "NeuralNetworks", "ModelInsight", "Security", "RichDisplay", "Widgets", "RunLog",
        "RunLogPostgres", "Deployment", "ModelServer", "Search", "SearchPostgres",
    ],
    "CZeroMQ": [],
    "ZeroMQ": ["CZeroMQ"],
    "JupyterKernel": ["ZeroMQ", "RichDisplay"],
    "RigorKernel": ["JupyterKernel", "RigorLibrary", "RigorScript", "RichDisplay", "Widgets", "ModelServer"],
    "CInt8Kernels": [],
    "Deployment": ["NeuralNetworks", "TensorCore", "RichDisplay", "CInt8Kernels"],
    "Security": ["NeuralNetworks", "TensorCore", "RichDisplay"],
    "CConcurrencyHook": [],
    "ModelServer": ["Deployment", "NeuralNetworks", "TensorCore", "CConcurrencyHook"],
    "rigor": ["RigorKernel", "JupyterKernel"],
]

/// Inside JupyterKernel only the transport file may touch sockets.
private let zeroMQImportersInJupyterKernel: Set<String> = ["ZeroMQTransport.swift"]

private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func swiftFiles(in directory: URL) -> [URL] {
    guard
        let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: nil)
    else { return [] }
    return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
}

private func importedModules(of file: URL) throws -> [String] {
    let text = try String(contentsOf: file, encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
        var words = line.split(separator: " ").map(String.init)
        while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal"].contains(first) {
            words.removeFirst()
        }
        guard words.count >= 2, words[0] == "import" else { return nil }
        // `import struct Foo.Bar` names the module after the kind keyword.
        let module =
            ["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"].contains(words[1])
            ? (words.count > 2 ? words[2] : "") : words[1]
        return String(module.split(separator: ".").first ?? "")
    }
}

@Suite("Import rules of docs/architecture.md")
struct ImportRulesTests {
    @Test("every source target is in the layering table")
    func everyTargetIsKnown() throws {
        let sources = packageRoot.appendingPathComponent("Sources")
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }
        #expect(!targets.isEmpty)
        for target in targets {
            #expect(allowedImports[target] != nil, "target \(target) is not in the layering table")
        }
    }

    @Test("no target imports a project target it may not")
    func importsFollowTheLayering() throws {
        let sources = packageRoot.appendingPathComponent("Sources")
        let projectTargets = Set(allowedImports.keys)
        var violations: [String] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) where !target.hasPrefix(".") {
            let allowed = allowedImports[target] ?? []
            for file in swiftFiles(in: sources.appendingPathComponent(target)) {
                for module in try importedModules(of: file) where projectTargets.contains(module) {
                    if !allowed.contains(module) {
                        violations.append("\(target)/\(file.lastPathComponent) imports \(module)")
                    }
                    if target == "JupyterKernel", module == "ZeroMQ",
                        !zeroMQImportersInJupyterKernel.contains(file.lastPathComponent)
                    {
                        violations.append(
                            "JupyterKernel/\(file.lastPathComponent) imports ZeroMQ outside the transport")
                    }
                }
            }
        }
        #expect(violations.isEmpty, "forbidden imports: \(violations)")
    }

    @Test("the import scanner sees imports in all their spellings")
    func scannerRecognisesImports() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imports-\(UUID()).swift")
        try "import Foundation\n@testable import TensorCore\npublic import struct RigorScript.Value\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try importedModules(of: file) == ["Foundation", "TensorCore", "RigorScript"])
    }
}
