import Foundation
import Testing

@testable import NeuralNetworks

@Suite struct ModelArchitectureTests {
    let architecture = ModelArchitecture(
        layers: [
            LayerDescription(
                kind: "Conv2D",
                arguments: [
                    "inputChannels": .int(1), "outputChannels": .int(4), "kernel": .int(3), "stride": .int(1),
                    "padding": .int(1), "activation": .member("relu"),
                ]),
            LayerDescription(kind: "MaxPool2D", arguments: ["kernel": .int(2), "stride": LayerArgument.none]),
            LayerDescription(kind: "Flatten"),
            LayerDescription(kind: "Dropout", arguments: ["rate": .double(2)]),
            LayerDescription(kind: "LSTM", arguments: ["returnSequences": .bool(true)]),
        ], seed: 11, inputShape: [1, 8, 8])

    @Test func roundTripsThroughJSONWithItsVersion() throws {
        let json = architecture.json
        #expect(json.contains("\"version\":1"))
        // 2.0 stays a Double and 2 an Int: the tags keep them apart.
        #expect(json.contains("{\"arguments\":{\"rate\":{\"double\":2}},\"kind\":\"Dropout\"}"))
        #expect(try ModelArchitecture(json: json) == architecture)
        #expect(try ModelArchitecture(metadata: architecture.metadata) == architecture)
        #expect(try ModelArchitecture(metadata: ["epoch": "3"]) == nil)
    }

    @Test func readsTheFormatBeforeVersionOne() throws {
        let metadata = [
            "rigor.architecture":
                "Conv2D\ti:1\ti:4\ti:3\ti:1\ti:1\tm:relu\nMaxPool2D\ti:2\tn\nFlatten\nDropout\td:2.0\n"
                + "LSTM\ti:8\ti:6\tb:true\tb:false",
            "rigor.seed": "11", "rigor.inputShape": "1,8,8",
        ]
        let legacy = try ModelArchitecture(legacyMetadata: metadata)
        #expect(legacy.version == 0)
        #expect(legacy.seed == 11)
        #expect(legacy.inputShape == [1, 8, 8])
        #expect(Array(legacy.layers.prefix(4)) == Array(architecture.layers.prefix(4)))
        #expect(
            legacy.layers[4].arguments == [
                "inputSize": .int(8), "hiddenSize": .int(6), "returnSequences": .bool(true),
                "bidirectional": .bool(false),
            ])
        #expect(try ModelArchitecture(metadata: metadata) == legacy)
        #expect(throws: NeuralNetworkError("loadCheckpoint", "layer 0 is an unknown kind 'Mystery'")) {
            try ModelArchitecture(legacyMetadata: ["rigor.architecture": "Mystery\ti:1"])
        }
        #expect(throws: NeuralNetworkError("loadCheckpoint", "layer 0 (Dropout): unreadable value 'x:1'")) {
            try ModelArchitecture(legacyMetadata: ["rigor.architecture": "Dropout\tx:1"])
        }
    }

    @Test func refusesNewerAndMalformedDescriptions() {
        #expect(
            throws: NeuralNetworkError(
                "loadCheckpoint", "the model description is format 7, newer than this Rigor reads (1)")
        ) { try ModelArchitecture(json: "{\"version\":7,\"layers\":[],\"seed\":0}") }
        #expect(throws: NeuralNetworkError("loadCheckpoint", "the model description has no format version")) {
            try ModelArchitecture(json: "{\"layers\":[]}")
        }
        #expect(
            throws: NeuralNetworkError(
                "loadCheckpoint", "the model description is malformed: 'seed' is missing at the top")
        ) { try ModelArchitecture(json: "{\"version\":1,\"layers\":[]}") }
    }
}
