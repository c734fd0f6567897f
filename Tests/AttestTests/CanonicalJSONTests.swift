import Foundation
import Testing
@testable import Attest

/// The shared RFC 8785 vectors, read in place (never copied into the repository).
private enum JCSVectors {
    /// `$ATTEST_VECTORS/jcs-rfc8785` (or `$ATTEST_VECTORS` itself), else `<repo root>/../shared/vectors/jcs-rfc8785`.
    static let directory: URL? = locate()

    /// Used by `.enabled(if:)`; prints (once) why the vector tests are skipped.
    static let available: Bool = {
        if directory == nil {
            print("skipping: RFC 8785 vectors folder not found (looked in $ATTEST_VECTORS and <repo>/../shared/vectors)")
        }
        return directory != nil
    }()

    private static func locate() -> URL? {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["ATTEST_VECTORS"], !override.isEmpty {
            let root = URL(fileURLWithPath: override)
            candidates += [root.appendingPathComponent("jcs-rfc8785"), root]
        }
        if let repoRoot = repositoryRoot() {
            candidates.append(repoRoot.appendingPathComponent("../shared/vectors/jcs-rfc8785").standardizedFileURL)
        }
        return candidates.first { url in
            FileManager.default.fileExists(atPath: url.appendingPathComponent("es6testfile10k.txt").path)
        }
    }

    /// The nearest directory above this file that contains Package.swift, else the parent of `Tests/`.
    private static func repositoryRoot() -> URL? {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var testsParent: URL?
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            if testsParent == nil, directory.lastPathComponent == "Tests" {
                testsParent = directory.deletingLastPathComponent()
            }
            directory.deleteLastPathComponent()
        }
        return testsParent
    }

    /// The names of the `input/*.json` vectors, sorted.
    static func inputNames() throws -> [String] {
        guard let directory else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("input").path)
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        guard let directory else { return [] }
        return try [UInt8](Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }
}

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    @Test("vector inputs canonicalize byte-for-byte to the outputs",
          .enabled(if: JCSVectors.available, "RFC 8785 vectors folder not found; set ATTEST_VECTORS"))
    func vectors() throws {
        let names = try JCSVectors.inputNames()
        #expect(names.count >= 6)
        for name in names {
            let canonical = CanonicalJSON.encode(try JSONParser.parse(JCSVectors.bytes("input/\(name)")))
            let expected = try JCSVectors.bytes("output/\(name)")
            #expect(canonical == expected, "\(name): got \(String(decoding: canonical, as: UTF8.self))")

            let hexName = "outhex/" + name.replacingOccurrences(of: ".json", with: ".txt")
            let hex = String(decoding: try JCSVectors.bytes(hexName), as: UTF8.self)
            let hexBytes = hex.split(whereSeparator: \.isWhitespace).compactMap { UInt8($0, radix: 16) }
            #expect(canonical == hexBytes, "\(name) differs from \(hexName)")
        }
    }

    @Test("canonical form round-trips through the parser",
          .enabled(if: JCSVectors.available, "RFC 8785 vectors folder not found; set ATTEST_VECTORS"))
    func roundTrip() throws {
        for name in try JCSVectors.inputNames() {
            let value = try JSONParser.parse(JCSVectors.bytes("input/\(name)"))
            let canonical = CanonicalJSON.encode(value)
            let reparsed = try JSONParser.parse(canonical)
            #expect(reparsed == value, "\(name)")
            #expect(CanonicalJSON.encode(reparsed) == canonical, "\(name): canonical form is not stable")
            #expect(try JSONParser.parse(JSONPrettyPrinter.render(value)) == value, "\(name): pretty form")
        }
    }

    @Test("es6testfile10k: every double formats like ECMAScript",
          .enabled(if: JCSVectors.available, "RFC 8785 vectors folder not found; set ATTEST_VECTORS"))
    func es6Numbers() throws {
        let text = String(decoding: try JCSVectors.bytes("es6testfile10k.txt"), as: UTF8.self)
        var count = 0
        var failures = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", maxSplits: 1)
            let bits = try #require(fields.count == 2 ? UInt64(fields[0], radix: 16) : nil, "bad line \(line)")
            let expected = String(fields[1])
            let value = Double(bitPattern: bits)
            count += 1
            let number = try #require(JSONNumber(value))
            let actual = CanonicalJSON.format(number)
            if actual != expected || CanonicalJSON.format(value) != expected {
                failures += 1
                if failures <= 20 { Issue.record("\(fields[0]): expected \(expected), got \(actual)") }
            }
            // The canonical text must also parse back to the very same double.
            if let reparsed = JSONNumber(literal: actual), reparsed.double.bitPattern != value.bitPattern,
               !(value == 0 && reparsed.double == 0) {
                Issue.record("\(fields[0]): \(actual) does not round-trip")
            }
        }
        print("es6testfile10k: \(count) lines checked, \(failures) failures")
        #expect(count == 10_000)
        #expect(failures == 0)
    }

    @Test("numbers follow the ECMAScript layout", arguments: [
        ("0", "0"), ("-0", "0"), ("-0.0", "0"), ("1E30", "1e+30"), ("4.50", "4.5"), ("2e-3", "0.002"),
        ("1e21", "1e+21"), ("1e20", "100000000000000000000"), ("123456789012345678901", "123456789012345680000"),
        ("0.000001", "0.000001"), ("1e-7", "1e-7"), ("1.5e-7", "1.5e-7"), ("0.00000123", "0.00000123"),
        ("333333333.33333329", "333333333.3333333"), ("0.000000000000000000000000001", "1e-27"),
        ("9007199254740993", "9007199254740992"), ("-9007199254740993", "-9007199254740992"),
        ("9007199254740992", "9007199254740992"), ("9223372036854775807", "9223372036854776000"),
        ("12345678901234567890123", "1.2345678901234568e+22"), ("5e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"), ("100", "100"), ("1E+2", "100"), ("-1.5", "-1.5"),
        ("123.0", "123"), ("0.1", "0.1"), ("1e-6", "0.000001"), ("-1e-7", "-1e-7"), ("1e-400", "0"),
    ])
    func numberLayout(_ literal: String, _ expected: String) throws {
        let number = try #require(JSONNumber(literal: literal))
        #expect(CanonicalJSON.format(number) == expected)
        #expect(CanonicalJSON.encode(.number(number)) == Array(expected.utf8))
    }

    @Test("strings escape only quote, backslash and control characters")
    func stringEscaping() {
        let input = "\"\\/\u{08}\u{09}\u{0A}\u{0B}\u{0C}\u{0D}\u{00}\u{1F}\u{7F}\u{2028}\u{2029}é😂</script>"
        let expected = #""\"\\/\b\t\n\u000b\f\r\u0000\u001f"# + "\u{7F}\u{2028}\u{2029}é😂</script>\""
        #expect(CanonicalJSON.encodeString(input) == Array(expected.utf8))
        #expect(CanonicalJSON.encode(.string("")) == Array(#""""#.utf8))
    }

    @Test("members are sorted by UTF-16 code units, without whitespace")
    func memberOrder() throws {
        // U+E000 sorts after U+1F602 in UTF-16 (0xE000 > 0xD83D) although its scalar value is smaller.
        let value: JSONValue = ["\u{E000}": 1, "😂": 2, "b": [true, false, nil], "a": ["y": 1, "x": 2], "B": "", "": 0]
        let expected = #"{"":0,"B":"","a":{"x":2,"y":1},"b":[true,false,null],"😂":2,""# + "\u{E000}" + #"":1}"#
        #expect(CanonicalJSON.encode(value) == Array(expected.utf8))
        #expect(value.description == expected)
        #expect(CanonicalJSON.encode([]) == Array("[]".utf8))
        #expect(CanonicalJSON.encode([:]) == Array("{}".utf8))
    }

    @Test("name ordering agrees with comparing UTF-16 code units")
    func utf16Ordering() {
        let scalars: [Unicode.Scalar] = ["a", "B", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}",
                                         "\u{FB33}", "\u{FFFF}", "\u{10000}", "\u{1F602}", "\u{10FFFF}"]
        var generator = SystemRandomNumberGenerator()
        func randomName() -> String {
            var name = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                name.append(scalars.randomElement(using: &generator) ?? "a")
            }
            return String(name)
        }
        for _ in 0..<5_000 {
            let (lhs, rhs) = (randomName(), randomName())
            #expect(CanonicalJSON.utf16Precedes(lhs, rhs) == lhs.utf16.lexicographicallyPrecedes(rhs.utf16),
                    "\(Array(lhs.unicodeScalars)) vs \(Array(rhs.unicodeScalars))")
        }
    }

    @Test("equal values encode identically regardless of member order or number spelling")
    func canonicalEquality() throws {
        let first = try JSONParser.parse(#"{"b":[1.0,2e0],"a":{"d":10,"c":"x"}}"#)
        let second = try JSONParser.parse(#"{ "a" : { "c" : "x", "d" : 1E1 }, "b" : [ 1, 2 ] }"#)
        #expect(first == second)
        #expect(CanonicalJSON.encode(first) == CanonicalJSON.encode(second))
        #expect(CanonicalJSON.encode(first) == Array(#"{"a":{"c":"x","d":10},"b":[1,2]}"#.utf8))
    }
}

@Suite("Pretty printer")
struct JSONPrettyPrinterTests {
    @Test("indents, keeps member order and number literals")
    func layout() throws {
        let value = try JSONParser.parse(#"{"z":[1.50,{}],"a":{"k":"line\nbreak"},"e":[],"n":null}"#)
        let expected = """
            {
              "z": [
                1.50,
                {}
              ],
              "a": {
                "k": "line\\nbreak"
              },
              "e": [],
              "n": null
            }
            """
        #expect(JSONPrettyPrinter.render(value) == expected)
        #expect(JSONPrettyPrinter.render([1, [2]], indent: 4) == "[\n    1,\n    [\n        2\n    ]\n]")
        #expect(JSONPrettyPrinter.render("é\u{1}") == "\"é\\u0001\"")
        #expect(JSONPrettyPrinter.render(true) == "true")
    }
}
