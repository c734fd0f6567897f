/// A file's bytes with the name to use in messages (its path, or "standard input").
public struct NamedInput: Sendable {
    public let name: String
    public let bytes: [UInt8]
    /// Why the file could not be read (a FIFO, a directory, a dangling link, too large), for a file that
    /// must still be reported, not stop the reader: verification fails it under `envelope.format`.
    public let problem: String?

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        self.problem = nil
    }

    public init(name: String, problem: String) {
        self.name = name
        self.bytes = []
        self.problem = problem
    }

    public static func read(_ path: String) throws(AttestError) -> NamedInput {
        NamedInput(name: path == "-" ? "standard input" : path, bytes: try AtomicFile.read(path, limit: 2 << 20))
    }
}

/// One signed document read for verification: the envelope, the typed payload, and the payload digest.
public struct SignedDocument<Document: Sendable>: Sendable {
    public let source: String
    public let envelope: Envelope
    public let document: Document
    public var digest: String { envelope.payloadDigest }
}

enum DocumentReader {
    /// Reads an envelope of `type` whose payload is a strict, canonical document; the error text says what
    /// is wrong and in which file, for `envelope.format`.
    static func read<D>(_ input: NamedInput, as type: PayloadType, decode: (JSONValue) throws(AttestError) -> D) -> Result<SignedDocument<D>, AttestError> {
        do throws(AttestError) {
            if let problem = input.problem { throw AttestError(.io, problem) }
            let envelope = try Envelope.parse(input.bytes)
            guard envelope.payloadType == type.rawValue else {
                throw AttestError(.invalidEnvelope, "payloadType is \(envelope.payloadType), expected \(type.rawValue)")
            }
            let value = try JSONParser.parse(envelope.payload)
            guard CanonicalJSON.encode(value) == envelope.payload else {
                throw AttestError(.invalidDocument, "payload is not in RFC 8785 canonical form")
            }
            let document = try decode(value)
            return .success(SignedDocument(source: input.name, envelope: envelope, document: document))
        } catch {
            return .failure(error.inFile(input.name))
        }
    }
}
