// ReproducibilityBuiltins: `reproducibility()`, the facts that make this session's numbers repeatable — versions,
// the source revision, the BLAS library and its threads, the CPU features and kernels in use, the seeds of the random
// operations and the data fingerprints of the runs so far, and where they are logged (docs/rigor.md).
import Deployment
import Foundation
import RichDisplay
import RigorScript
import RunLog
import TensorCore

/// What `reproducibility()` returns: the facts as a two-column table (HTML in a notebook, text elsewhere).
final class ReproducibilityObject: NativeObject, ArgumentType, ScriptValueConvertible, MIMERepresentable {
    static var scriptTypeName: String { "Reproducibility" }
    /// (fact, value) in the order shown; a fact may repeat (one row per seed, per data set).
    let facts: [(String, String)]
    init(_ facts: [(String, String)]) { self.facts = facts }
    var typeName: String { "Reproducibility" }
    var description: String { table.plainText }
    var table: Table {
        Table(columns: ["fact", "value"], rows: facts.map { [.text($0.0), .text($0.1)] }, title: "Reproducibility")
    }
    var mimeBundle: MIMEBundle { table.mimeBundle }
}

extension RigorLibrary {
    static func registerReproducibility(in registry: BuiltinRegistry) {
        let type = registry.type(
            ReproducibilityObject.self, doc: "The facts that make a session's results repeatable, as a table.")
        type.property("facts", type: "[String: String]", doc: "Each fact's value (repeated facts joined by \"; \").") {
            object in
            var joined: [(String, String)] = []
            for (fact, value) in object.facts {
                if let index = joined.firstIndex(where: { $0.0 == fact }) {
                    joined[index].1 += "; " + value
                } else {
                    joined.append((fact, value))
                }
            }
            return Value.dictionary(keysAndValues: joined.map { ($0.0, .string($0.1)) })
        }
        registry.function(
            "reproducibility",
            doc: "The facts that make this session's numbers repeatable: Rigor's version and source revision, Swift "
                + "and the OS, the BLAS library with its threads and whether its products repeat exactly, the CPU "
                + "features and int8 kernel in use, the seed of every random operation so far (`split`, `Sequential`, "
                + "`fit`, … with its cell; a seed left to its default says so), the data fingerprint of every `fit` "
                + "and `evaluate`, and the run log's file.",
            example: "reproducibility()"
        ) { context -> ReproducibilityObject in
            ReproducibilityObject(
                reproducibilityFacts(runRecorder(context), random: RigorChecks.of(context).randomOperations))
        }
    }

    static func reproducibilityFacts(
        _ recorder: RunRecorder, random: [RandomOperation]
    ) -> [(String, String)] {
        var facts: [(String, String)] = [("rigor", version), ("source", SourceRevision.current ?? "unknown")]
        facts += RunLog.environment
        facts.append(("blas", BLASBackend.configuration))
        facts.append(("blas kernels", BLASBackend.coreName))
        let threads = BLASBackend.threadCount
        facts.append(("blas threads", String(threads)))
        facts.append(
            (
                "blas determinism",
                threads == 1
                    ? "exact: one thread sums every product in one fixed order, run after run"
                    : "\(threads) threads: a product is split the same way for the same thread count, so results "
                        + "repeat on this machine with \(threads) threads; another count may change the last bits"
            ))
        let used = ["sse4_2", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16"]
        let flags = BLASBackend.cpuFlags()
        facts.append(("cpu features", used.filter(flags.contains).joined(separator: ", ")))
        facts.append(("int8 kernel", Int8KernelChoice.name + "; exact int32 sums, the same result on every kernel"))
        facts.append(
            (
                "random numbers",
                "every random operation takes a seed (0 when none is given); the same seed gives the same numbers"
            ))
        // One row per random operation, seed and cell (a loop of four fits in one cell is one row, "4 calls"),
        // and one per data set (the roles it played joined: an evaluate of the validation split is the same rows).
        if random.isEmpty { facts.append(("seeds", "no random operation yet")) }
        facts += random.map { ("seed", $0.text) }
        let runs = recorder.started
        var data: [(fingerprint: DataFingerprint, roles: [String])] = []
        for run in runs {
            for (role, fingerprint) in run.data {
                if let index = data.firstIndex(where: { $0.fingerprint == fingerprint }) {
                    if !data[index].roles.contains(role) { data[index].roles.append(role) }
                } else {
                    data.append((fingerprint, [role]))
                }
            }
        }
        facts += data.map { entry in
            let fingerprint = entry.fingerprint
            return (
                "data",
                "\(entry.roles.joined(separator: ", ")): sha256 \(fingerprint.short)… (\(fingerprint.rows) rows)"
            )
        }
        facts.append(("run log", recorder.location ?? "off (runLog(path: \"runs.sqlite\") turns it on)"))
        return facts
    }
}

/// SourceRevision: the git commit of the checkout the running binary was built in (`.build/…/rigor` inside it), read
/// from the repository's files, or nil for an installed binary.
enum SourceRevision {
    static let current: String? = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            if let revision = revision(of: folder) { return revision }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    /// `"fc34a93c1d2e (main)"` for the repository at `folder`, or nil when there is none.
    static func revision(of folder: URL) -> String? {
        let dotGit = folder.appendingPathComponent(".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        var gitFolder = dotGit
        if !isFolder.boolValue {
            // A worktree: `.git` is a file that says `gitdir: <path>`.
            guard let text = read(dotGit), text.hasPrefix("gitdir:") else { return nil }
            let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
            gitFolder = URL(fileURLWithPath: path, relativeTo: folder).standardizedFileURL
        }
        guard let head = read(gitFolder.appendingPathComponent("HEAD")) else { return nil }
        guard head.hasPrefix("ref:") else { return String(head.prefix(12)) }
        let reference = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        let branch = reference.replacingOccurrences(of: "refs/heads/", with: "")
        var common = gitFolder
        if let path = read(gitFolder.appendingPathComponent("commondir")) {
            common = URL(fileURLWithPath: path, relativeTo: gitFolder.appendingPathComponent("x")).standardizedFileURL
        }
        for base in [gitFolder, common] {
            if let commit = read(base.appendingPathComponent(reference)) { return "\(commit.prefix(12)) (\(branch))" }
        }
        for line in (read(common.appendingPathComponent("packed-refs")) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[1] == reference { return "\(parts[0].prefix(12)) (\(branch))" }
        }
        return nil
    }

    private static func read(_ url: URL) -> String? {
        (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
