/// Base64 for envelopes: writes the standard alphabet with padding; reads the standard or the URL-safe
/// alphabet, padded or not, and rejects anything else so one envelope has few spellings.
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (i, c) in standard.enumerated() { table[Int(c)] = UInt8(i) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(standard[Int(n >> 18 & 63)])
            out.append(standard[Int(n >> 12 & 63)])
            out.append(standard[Int(n >> 6 & 63)])
            out.append(standard[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(standard[Int(n >> 18 & 63)])
            out.append(standard[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(standard[Int(n >> 18 & 63)])
            out.append(standard[Int(n >> 12 & 63)])
            out.append(standard[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard or URL-safe base64; nil for other characters, a mix of both alphabets, bad
    /// padding, or non-zero bits after the last byte (which would give two spellings of one value).
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = input.count
        var padding = 0
        while end > 0, input[end - 1] == UInt8(ascii: "="), padding < 2 {
            end -= 1
            padding += 1
        }
        if padding > 0, input.count % 4 != 0 { return nil }
        if end % 4 == 1 { return nil }
        var out = [UInt8]()
        out.reserveCapacity(end / 4 * 3 + 2)
        var sawStandard = false
        var sawURLSafe = false
        var accumulator: UInt32 = 0
        var bits = 0
        for i in 0..<end {
            let c = input[i]
            let v = decodeTable[Int(c)]
            if v == 0xff { return nil }
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "/") { sawStandard = true }
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") { sawURLSafe = true }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        if sawStandard && sawURLSafe { return nil }
        if accumulator != 0 { return nil }
        if padding > 0, (end % 4 == 2 && padding != 2) || (end % 4 == 3 && padding != 1) { return nil }
        return out
    }
}
