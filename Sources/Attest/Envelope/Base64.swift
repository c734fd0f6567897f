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
        let tail = end % 4
        if tail == 1 { return nil }
        if padding > 0, (tail == 2 && padding != 2) || (tail == 3 && padding != 1) { return nil }
        let whole = end - tail
        let outCount = whole / 4 * 3 + (tail == 0 ? 0 : tail - 1)
        // Hot path of every envelope read: one table lookup per character, four characters per step.
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var seen: UInt8 = 0  // bit 0: '+' or '/', bit 1: '-' or '_'
            var invalid: UInt8 = 0
            @inline(__always) func value(_ c: UInt8) -> UInt32 {
                let v = table[Int(c)]
                invalid |= v & 0x80
                seen |= (c == 0x2b || c == 0x2f) ? 1 : 0
                seen |= (c == 0x2d || c == 0x5f) ? 2 : 0
                return UInt32(v & 0x3f)
            }
            let out = [UInt8](unsafeUninitializedCapacity: outCount) { buffer, initialized in
                var i = 0, o = 0
                while i < whole {
                    let n = value(input[i]) << 18 | value(input[i + 1]) << 12 | value(input[i + 2]) << 6 | value(input[i + 3])
                    buffer[o] = UInt8(truncatingIfNeeded: n >> 16)
                    buffer[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
                    buffer[o + 2] = UInt8(truncatingIfNeeded: n)
                    i += 4
                    o += 3
                }
                if tail == 2 {
                    let n = value(input[i]) << 18 | value(input[i + 1]) << 12
                    if n & 0xffff != 0 { invalid |= 0x80 }  // bits past the last byte must be zero
                    buffer[o] = UInt8(truncatingIfNeeded: n >> 16)
                    o += 1
                } else if tail == 3 {
                    let n = value(input[i]) << 18 | value(input[i + 1]) << 12 | value(input[i + 2]) << 6
                    if n & 0xff != 0 { invalid |= 0x80 }
                    buffer[o] = UInt8(truncatingIfNeeded: n >> 16)
                    buffer[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
                    o += 2
                }
                initialized = o
            }
            return invalid == 0 && seen != 3 ? out : nil
        }
    }
}
