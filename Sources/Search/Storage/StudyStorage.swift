// StudyStorage: where studies and their trials live. Every change to a trial is written as it happens, so an interrupt,
// a crash or a kernel restart loses no finished trial. Implementations: InMemoryStorage, SQLiteStorage (GRDB) and
// SearchPostgres.PostgresStorage (many workers on one study).
import Foundation
import Synchronization

/// A study as a storage knows it: its key and its settings.
public struct StoredStudy: Hashable, Sendable {
    public var id: Int
    public var settings: StudySettings

    public init(id: Int, settings: StudySettings) {
        self.id = id
        self.settings = settings
    }
}

/// The storage protocol. Every method is one transaction; `claimTrial` and `enqueue` are atomic against other workers
/// on the same study (no trial number is given twice, no waiting trial is claimed twice).
public protocol StudyStorage: AnyObject, Sendable {
    /// Creates the study, or returns the stored one of that name (`created` false).
    func createStudy(_ settings: StudySettings) throws -> (study: StoredStudy, created: Bool)
    /// The stored study of that name; `SearchError.studyNotFound` when there is none.
    func loadStudy(named name: String) throws -> StoredStudy
    /// The names of every stored study.
    func studyNames() throws -> [String]
    /// Deletes the study and every trial of it; `SearchError.studyNotFound` when there is none.
    func deleteStudy(named name: String) throws
    /// Claims the oldest waiting trial, or (unless `onlyWaiting`) starts a new one numbered after every other trial;
    /// `nil` when the study already holds `maxTotal` trials or, with `onlyWaiting`, no trial is waiting. The trial comes
    /// back `.running`, with `worker` and `started` set.
    func claimTrial(studyID: Int, worker: String, maxTotal: Int?, onlyWaiting: Bool) throws -> TrialRecord?
    /// Adds a waiting trial for each parameter set no trial of the study was enqueued with; returns how many it added.
    func enqueue(studyID: Int, parameterSets: [[String: ParameterValue]]) throws -> Int
    /// Writes the trial (insert or replace).
    func saveTrial(studyID: Int, _ record: TrialRecord) throws
    /// Every trial of the study, by number.
    func trials(studyID: Int) throws -> [TrialRecord]
}

/// Helpers storages share.
public enum StorageCoding {
    /// A canonical text for a parameter set (sorted names, typed values): equal sets give equal keys.
    public static func key(_ parameters: [String: ParameterValue]) -> String {
        parameters.keys.sorted().map { name -> String in
            let value: String =
                switch parameters[name]! {
                case .double(let x): "d:\(x.bitPattern)"
                case .int(let x): "i:\(x)"
                case .string(let x): "s:\(x.count):\(x)"
                case .bool(let x): "b:\(x)"
                }
            return "\(name.count):\(name)=\(value)"
        }.joined(separator: ";")
    }

    /// JSON for a trial or settings (sorted keys, so the same record gives the same bytes).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The inverse of `encode`; a record that does not decode is a `.corrupt` error naming `what`.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw SearchError(.corrupt, "\(what) does not decode: \(error)")
        }
    }

    /// `host:pid`, the default worker name.
    public static var defaultWorker: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// Studies in memory (lost with the process): for tests, benchmarks and throwaway searches. Thread-safe.
public final class InMemoryStorage: StudyStorage {
    private struct State {
        var studies: [StoredStudy] = []
        var trials: [Int: [TrialRecord]] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func createStudy(_ settings: StudySettings) throws -> (study: StoredStudy, created: Bool) {
        state.withLock { state in
            if let existing = state.studies.first(where: { $0.settings.name == settings.name }) {
                return (existing, false)
            }
            let study = StoredStudy(id: state.studies.count + 1, settings: settings)
            state.studies.append(study)
            state.trials[study.id] = []
            return (study, true)
        }
    }

    public func loadStudy(named name: String) throws -> StoredStudy {
        guard let study = state.withLock({ $0.studies.first { $0.settings.name == name } }) else {
            throw SearchError(.studyNotFound, "no study named '\(name)' in memory")
        }
        return study
    }

    public func studyNames() throws -> [String] { state.withLock { $0.studies.map(\.settings.name) } }

    public func deleteStudy(named name: String) throws {
        let found = state.withLock { state in
            guard let index = state.studies.firstIndex(where: { $0.settings.name == name }) else { return false }
            state.trials[state.studies[index].id] = nil
            state.studies.remove(at: index)
            return true
        }
        guard found else { throw SearchError(.studyNotFound, "no study named '\(name)' in memory") }
    }

    public func claimTrial(studyID: Int, worker: String, maxTotal: Int?, onlyWaiting: Bool) throws -> TrialRecord? {
        state.withLock { state in
            var trials = state.trials[studyID, default: []]
            defer { state.trials[studyID] = trials }
            var record: TrialRecord
            if let index = trials.firstIndex(where: { $0.state == .waiting }) {
                trials[index].state = .running
                record = trials[index]
            } else {
                if onlyWaiting { return nil }
                if let maxTotal, trials.count >= maxTotal { return nil }
                record = TrialRecord(number: trials.count, state: .running)
                trials.append(record)
            }
            record.worker = worker
            record.started = Date()
            trials[record.number] = record
            return record
        }
    }

    public func enqueue(studyID: Int, parameterSets: [[String: ParameterValue]]) throws -> Int {
        state.withLock { state in
            var trials = state.trials[studyID, default: []]
            defer { state.trials[studyID] = trials }
            var present = Set(trials.map { StorageCoding.key($0.fixedParameters) })
            var added = 0
            for parameters in parameterSets where !present.contains(StorageCoding.key(parameters)) {
                present.insert(StorageCoding.key(parameters))
                trials.append(TrialRecord(number: trials.count, state: .waiting, fixedParameters: parameters))
                added += 1
            }
            return added
        }
    }

    public func saveTrial(studyID: Int, _ record: TrialRecord) throws {
        state.withLock { state in
            guard var trials = state.trials[studyID], record.number >= 0 else { return }
            while trials.count <= record.number { trials.append(TrialRecord(number: trials.count, state: .failed)) }
            trials[record.number] = record
            state.trials[studyID] = trials
        }
    }

    public func trials(studyID: Int) throws -> [TrialRecord] {
        state.withLock { $0.trials[studyID] ?? [] }
    }
}
