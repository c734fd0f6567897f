/// A document a draft is made into. Drafts are checked by reading their own canonical bytes back with the
/// strict reader `attest sign` uses, so a draft command never writes a document that signing would refuse.
protocol DraftableDocument: Equatable {
    init(json value: JSONValue) throws(AttestError)
    var json: JSONValue { get }
}

extension TrustRoot: DraftableDocument {}
extension Delegation: DraftableDocument {}
extension Manifest: DraftableDocument {}
extension Revocation: DraftableDocument {}

extension DraftableDocument {
    /// The canonical payload bytes, after checking they parse strictly back into this same document.
    func checkedPayload() throws(AttestError) -> [UInt8] {
        let bytes = CanonicalJSON.encode(json)
        let reread = try Self(json: JSONParser.parse(bytes))
        // Unequal means something was dropped on the way out (a key with no key dict, say).
        guard reread == self else { throw AttestError(.invalidDocument, "the draft does not read back as the document built") }
        return bytes
    }
}
