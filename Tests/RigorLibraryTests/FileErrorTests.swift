import Foundation
import RigorLibrary
import RigorScript
import Testing

/// Files that cannot be written or read are `IOError`s naming the path and the operating system's reason, anchored
/// at the path argument, and the session goes on.
@Suite("File errors")
struct FileErrorTests {
    /// A folder that does not exist, under the temporary directory.
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-missing-\(UUID())").path
    /// A folder no one may create files in, root included (sysfs).
    let readOnly = "/sys"

    /// The error of `code`, which must be an IOError; then checks that the session still runs.
    func ioError(_ session: Session, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard let error = session.execute(code).error else {
            Issue.record("expected an IOError from \(code)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(error.kind == .io, "\(session.render(error))", sourceLocation: sourceLocation)
        #expect(run(session, "1 + 1") == "2", sourceLocation: sourceLocation)
        return session.render(error)
    }

    @Test("saving a model into a missing or read-only folder")
    func saveModel() {
        let s = librarySession()
        _ = run(s, "let model = Sequential([Dense(2, 2)])")
        let path = "\(missing)/model.safetensors"
        let rendered = ioError(s, "model.save(\"\(path)\")")
        #expect(rendered.contains("error: cannot write '\(path)': No such file or directory"), "\(rendered)")
        // The carets sit under the path argument.
        #expect(rendered.contains("model.save(\"\(path)\")\n           ^"), "\(rendered)")
        let denied = ioError(s, "model.save(\"\(readOnly)/model.safetensors\")")
        #expect(denied.contains("cannot write '/sys/model.safetensors': Permission denied"), "\(denied)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("saving a chart or table into a missing or read-only folder")
    func saveDisplay() {
        let s = librarySession()
        _ = run(s, "let chart = Plot(title: \"loss\")\nchart.line([0.5, 0.3, 0.2], label: \"train\")")
        let path = "\(missing)/loss.svg"
        let rendered = ioError(s, "save(chart, to: \"\(path)\")")
        #expect(rendered.contains("cannot save '\(path)': No such file or directory"), "\(rendered)")
        let denied = ioError(s, "save(chart, to: \"\(readOnly)/loss.svg\")")
        #expect(denied.contains("cannot save '/sys/loss.svg': Permission denied"), "\(denied)")
    }

    @Test("reading a checkpoint, CSV or .npy file that is missing or a folder")
    func read() {
        let s = librarySession()
        _ = run(s, "let model = Sequential([Dense(2, 2)])")
        let path = "\(missing)/model.safetensors"
        for code in ["model.load(\"\(path)\")", "Model.load(\"\(path)\")"] {
            let rendered = ioError(s, code)
            #expect(rendered.contains("cannot read '\(path)': No such file or directory"), "\(rendered)")
        }
        let csv = ioError(s, "Dataset.csv(\"\(missing)/data.csv\", target: \"y\")")
        #expect(csv.contains("cannot read '\(missing)/data.csv': No such file or directory"), "\(csv)")
        let npy = ioError(s, "Dataset.npy(features: \"\(missing)/x.npy\", labels: \"\(missing)/y.npy\")")
        #expect(npy.contains("cannot read '\(missing)/x.npy': No such file or directory"), "\(npy)")
        let folder = FileManager.default.temporaryDirectory.path
        let directory = ioError(s, "Dataset.csv(\"\(folder)\", target: \"y\")")
        #expect(directory.contains("cannot read '\(folder)': Is a directory"), "\(directory)")
    }
}
