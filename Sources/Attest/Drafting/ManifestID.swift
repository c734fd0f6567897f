import AttestCrypto

/// New manifest ids: random (version 4) UUIDs, written lowercase as documents require.
public enum ManifestID {
    /// A UUID v4 from 122 bits of the CSPRNG (RFC 9562 §5.4: version nibble 4, variant bits 10).
    public static func random() throws(AttestError) -> String {
        var bytes: [UInt8]
        do { bytes = try SecureRandom.bytes(16) } catch { throw AttestError(error) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Hex.encode(bytes)
        var text = ""
        text.reserveCapacity(36)
        for (position, character) in hex.enumerated() {
            if position == 8 || position == 12 || position == 16 || position == 20 { text.append("-") }
            text.append(character)
        }
        return text
    }
}
