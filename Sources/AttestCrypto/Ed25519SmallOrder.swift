/// The encodings of the Ed25519 points of small order (the eight-torsion subgroup), canonical and not, as
/// libsodium's `ge25519_has_small_order` lists them: compared with the sign bit (bit 255) cleared, these seven
/// cover all fourteen encodings. No key is a small-order point, so no key may be one of these.
enum Ed25519SmallOrder {
    static let encodings: [[UInt8]] = [
        // 0 (order 4)
        [UInt8](repeating: 0, count: 32),
        // 1 (order 1): the identity
        [0x01] + [UInt8](repeating: 0, count: 31),
        // 2707385501144840649318225287225658788936804267575313519463743609750303402022 (order 8)
        [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05],
        // 55188659117513257062467267217118295137698188065244968500265048394206261417927 (order 8)
        [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a],
        // p - 1 (order 2)
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        // p (non-canonical 0)
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        // p + 1 (non-canonical 1)
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    static func contains(_ key: [UInt8]) -> Bool {
        guard key.count == 32 else { return false }
        var masked = key
        masked[31] &= 0x7f
        return encodings.contains(masked)
    }

    /// y ≥ p = 2^255 − 19 (sign bit cleared): a non-canonical encoding, which would give one key a second
    /// SPKI and a second key id. The low byte is at least 0xed and every other byte of y is all ones.
    static func isNonCanonical(_ key: [UInt8]) -> Bool {
        guard key.count == 32 else { return false }
        return key[0] >= 0xed && key[1..<31].allSatisfy { $0 == 0xff } && key[31] & 0x7f == 0x7f
    }
}
