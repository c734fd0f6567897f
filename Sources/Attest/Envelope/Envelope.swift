import AttestCrypto

/// A DSSE v1 envelope: a payload, its type, and signatures over the PAE of both.
///
/// Guarantees of `parse`: the JSON is strict (no duplicate or unknown members), `payload` and every `sig`
/// are valid base64 (either alphabet), and there is at least one signature and no more than
/// `maxSignatures`. Nothing about the signatures' validity: see `verify(keys:threshold:)`.
public struct Envelope: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        /// Only a hint for finding the key: it is not signed and never decides anything.
        public var keyID: String?
        public var bytes: [UInt8]

        public init(keyID: String?, bytes: [UInt8]) {
            self.keyID = keyID
            self.bytes = bytes
        }
    }

    /// More signatures than any threshold needs; the cap bounds the work a hostile envelope can cause.
    public static let maxSignatures = 32

    public let payloadType: String
    public let payload: [UInt8]
    public private(set) var signatures: [Signature]

    public init(payloadType: String, payload: [UInt8], signatures: [Signature] = []) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, the bytes every signature covers.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = [UInt8]()
        out.reserveCapacity(payload.count + type.count + 32)
        out.append(contentsOf: "DSSEv1 ".utf8)
        out.append(contentsOf: String(type.count).utf8)
        out.append(0x20)
        out.append(contentsOf: type)
        out.append(0x20)
        out.append(contentsOf: String(payload.count).utf8)
        out.append(0x20)
        out.append(contentsOf: payload)
        return out
    }

    public var pae: [UInt8] { Envelope.pae(payloadType: payloadType, payload: payload) }

    /// `sha256:<hex>` of the payload bytes: the document digest.
    public var payloadDigest: String { "sha256:" + Hex.encode(SHA256.hash(payload)) }

    /// Signs the envelope with one more key. Signing twice with the same key is refused.
    public mutating func sign(with key: PrivateKey) throws(AttestError) {
        let keyID = key.publicKey.keyID
        guard !signatures.contains(where: { $0.keyID == keyID }) else {
            throw AttestError(.usage, "the envelope is already signed by key \(keyID)")
        }
        guard signatures.count < Envelope.maxSignatures else {
            throw AttestError(.invalidEnvelope, "the envelope already has \(Envelope.maxSignatures) signatures")
        }
        do {
            let signature = try key.sign(pae)
            signatures.append(Signature(keyID: keyID, bytes: signature))
        } catch {
            throw AttestError(error)
        }
    }

    /// Reads an envelope from JSON text.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .envelope) throws(AttestError) -> Envelope {
        let value = try JSONParser.parse(bytes, limits: limits)
        return try Envelope(json: value)
    }

    public init(json value: JSONValue) throws(AttestError) {
        var reader: JSONObjectReader
        do { reader = try JSONObjectReader(value) } catch { throw AttestError(.invalidEnvelope, "not a DSSE envelope: \(error.reason)", at: error.location) }
        do throws(AttestError) {
            let payloadText = try reader.string("payload")
            let type = try reader.string("payloadType")
            let list = try reader.array("signatures")
            try reader.finish()
            guard let payload = Base64.decode(payloadText) else {
                throw AttestError(.invalidEnvelope, "payload is not valid base64", at: "$.payload")
            }
            guard !type.isEmpty else { throw AttestError(.invalidEnvelope, "payloadType is empty", at: "$.payloadType") }
            guard !list.isEmpty else { throw AttestError(.invalidEnvelope, "the envelope has no signatures", at: "$.signatures") }
            guard list.count <= Envelope.maxSignatures else {
                throw AttestError(.invalidEnvelope, "more than \(Envelope.maxSignatures) signatures", at: "$.signatures")
            }
            var signatures: [Signature] = []
            signatures.reserveCapacity(list.count)
            for (i, item) in list.enumerated() {
                let path = "$.signatures[\(i)]"
                var entry = try JSONObjectReader(item, path: path)
                let keyID = try entry.optionalString("keyid")
                let sigText = try entry.string("sig")
                try entry.finish()
                guard let sig = Base64.decode(sigText), !sig.isEmpty else {
                    throw AttestError(.invalidEnvelope, "sig is not valid base64", at: path + ".sig")
                }
                signatures.append(Signature(keyID: keyID, bytes: sig))
            }
            self.init(payloadType: type, payload: payload, signatures: signatures)
        } catch {
            guard error.code == .invalidDocument else { throw error }
            throw AttestError(.invalidEnvelope, "not a DSSE envelope: \(error.reason)", at: error.location)
        }
    }

    /// The envelope as JSON, members in canonical order.
    public var json: JSONValue {
        .object(JSONObject(uniqueMembers: [
            ("payload", .string(Base64.encode(payload))),
            ("payloadType", .string(payloadType)),
            ("signatures", .array(signatures.map { sig in
                var members: [(String, JSONValue)] = []
                if let keyID = sig.keyID { members.append(("keyid", .string(keyID))) }
                members.append(("sig", .string(Base64.encode(sig.bytes))))
                return .object(JSONObject(uniqueMembers: members))
            })),
        ]))
    }

    /// The envelope's canonical JSON bytes, with a trailing newline when written to a file.
    public func encoded() -> [UInt8] { CanonicalJSON.encode(json) }
}

extension JSONLimits {
    /// Envelopes carry a base64 payload of up to 1 MiB, so the envelope itself may be a third larger.
    public static let envelope = JSONLimits(maxBytes: 1_500_000, maxDepth: 8)
}
