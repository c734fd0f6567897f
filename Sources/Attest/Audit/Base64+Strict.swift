extension Base64 {
    /// Standard-alphabet, padded base64 only (RFC 4648 §4), as signed notes and checkpoints require: the one
    /// spelling that `encode` writes, so a note has a single valid form.
    static func decodeStandard(_ text: some StringProtocol) -> [UInt8]? {
        guard let bytes = decode(String(text)), encode(bytes).utf8.elementsEqual(text.utf8) else { return nil }
        return bytes
    }
}
