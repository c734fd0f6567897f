import Testing
@testable import Attest

/// One input the strict parser must refuse, and the words its message must contain.
struct JSONRejectionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let reason: String
    var location: String?

    init(_ name: String, _ text: String, _ reason: String, at location: String? = nil) {
        self.init(name, Array(text.utf8), reason, at: location)
    }

    init(_ name: String, _ bytes: [UInt8], _ reason: String, at location: String? = nil) {
        self.name = name
        self.bytes = bytes
        self.reason = reason
        self.location = location
    }

    var testDescription: String { name }
}

/// The error `JSONParser` throws for `bytes`, or nil when it parses.
private func jsonParseError(_ bytes: [UInt8], limits: JSONLimits = .default) -> AttestError? {
    do {
        _ = try JSONParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// `prefix` + bytes + `suffix`, for putting raw bytes inside JSON text.
private func jsonBytes(_ prefix: String, _ middle: [UInt8], _ suffix: String) -> [UInt8] {
    Array(prefix.utf8) + middle + Array(suffix.utf8)
}

@Suite("Strict JSON parser")
struct JSONParserTests {
    static let rejections: [JSONRejectionCase] = [
        // Duplicates, compared after unescaping.
        JSONRejectionCase("duplicate member", #"{"a":1,"a":2}"#, #"duplicate member name "a""#, at: "line 1, column 8"),
        JSONRejectionCase("duplicate via escape", #"{"a":1,"\u0061":2}"#, #"duplicate member name "a""#),
        JSONRejectionCase("duplicate in nested object", #"[{"x":{"k":1,"k":1}}]"#, #"duplicate member name "k""#),
        JSONRejectionCase("duplicate via surrogate pair escape", #"{"😂":1,"\ud83d\ude02":2}"#,
                      #"duplicate member name "\ud83d\ude02""#),
        // Invalid UTF-8.
        JSONRejectionCase("overlong 2-byte", jsonBytes("\"", [0xC0, 0xAF], "\""), "invalid UTF-8: overlong"),
        JSONRejectionCase("overlong 3-byte", jsonBytes("\"", [0xE0, 0x80, 0xAF], "\""), "invalid UTF-8: overlong"),
        JSONRejectionCase("overlong 4-byte", jsonBytes("\"", [0xF0, 0x80, 0x80, 0xAF], "\""), "invalid UTF-8: overlong"),
        JSONRejectionCase("UTF-8 encoded high surrogate", jsonBytes("\"", [0xED, 0xA0, 0x80], "\""),
                      "invalid UTF-8: surrogate"),
        JSONRejectionCase("UTF-8 encoded low surrogate", jsonBytes("\"", [0xED, 0xBF, 0xBF], "\""),
                      "invalid UTF-8: surrogate"),
        JSONRejectionCase("above U+10FFFF (F4 90)", jsonBytes("\"", [0xF4, 0x90, 0x80, 0x80], "\""),
                      "invalid UTF-8: code point above U+10FFFF"),
        JSONRejectionCase("above U+10FFFF (F5)", jsonBytes("\"", [0xF5, 0x80, 0x80, 0x80], "\""),
                      "invalid UTF-8: code point above U+10FFFF"),
        JSONRejectionCase("truncated mid-string", jsonBytes("\"", [0xE2, 0x82], "\""), "invalid UTF-8: truncated"),
        JSONRejectionCase("truncated at end of input", jsonBytes("\"", [0xF0, 0x9F, 0x98], ""),
                      "invalid UTF-8: truncated sequence at end of input"),
        JSONRejectionCase("lone continuation byte", jsonBytes("\"", [0x80], "\""), "invalid UTF-8: unexpected continuation"),
        JSONRejectionCase("byte 0xFF", jsonBytes("\"", [0xFF], "\""), "invalid UTF-8"),
        JSONRejectionCase("invalid UTF-8 in a key", jsonBytes("{\"", [0xC3], "\":1}"), "invalid UTF-8"),
        JSONRejectionCase("invalid UTF-8 in an escaped string", jsonBytes("\"\\n", [0xC0, 0x80], "\""),
                      "invalid UTF-8: overlong"),
        JSONRejectionCase("invalid UTF-8 outside strings", jsonBytes("[1,", [0xC0, 0x80], "]"), "invalid UTF-8"),
        // Lone surrogate escapes.
        JSONRejectionCase("lone high surrogate", #""\ud800""#, #"lone high surrogate \ud800"#),
        JSONRejectionCase("lone high surrogate then text", #""\ud800x""#, "lone high surrogate"),
        JSONRejectionCase("high surrogate then non-surrogate", #""\ud800\u0041""#, #"followed by \u0041"#),
        JSONRejectionCase("two high surrogates", #""\ud800\ud800""#, "lone high surrogate"),
        JSONRejectionCase("lone low surrogate", #""\udc00""#, #"lone low surrogate \udc00"#),
        JSONRejectionCase("low then high surrogate", #""\ude02\ud83d""#, "lone low surrogate"),
        // Control characters.
        JSONRejectionCase("raw newline in string", "\"a\nb\"", "raw control character U+000A"),
        JSONRejectionCase("raw tab in string", "\"a\tb\"", "raw control character U+0009"),
        JSONRejectionCase("raw NUL in string", [0x22, 0x00, 0x22], "raw control character U+0000"),
        JSONRejectionCase("raw 0x1F in key", jsonBytes("{\"", [0x1F], "\":1}"), "raw control character U+001F"),
        // Escapes.
        JSONRejectionCase("unknown escape", #""\x41""#, #"invalid escape '\x'"#),
        JSONRejectionCase("single-quote escape", #""\'""#, "invalid escape"),
        JSONRejectionCase("short \\u escape", #""\u12""#, "expected 4 hex digits"),
        JSONRejectionCase("non-hex \\u escape", #""\u12G4""#, "expected 4 hex digits"),
        JSONRejectionCase("uppercase \\U", #""\U0041""#, "invalid escape"),
        // Numbers.
        JSONRejectionCase("leading zero", "01", "leading zeros", at: "line 1, column 1"),
        JSONRejectionCase("negative leading zero", "-01", "leading zeros"),
        JSONRejectionCase("leading zero in array", "[00]", "leading zeros"),
        JSONRejectionCase("plus sign", "+1", "expected a value, found '+'"),
        JSONRejectionCase("bare fraction", ".5", "expected a value, found '.'"),
        JSONRejectionCase("trailing point", "1.", "expected a digit after the decimal point"),
        JSONRejectionCase("point before exponent", "1.e5", "expected a digit after the decimal point"),
        JSONRejectionCase("empty exponent", "1e", "expected a digit in the exponent"),
        JSONRejectionCase("signed empty exponent", "1e+", "expected a digit in the exponent"),
        JSONRejectionCase("lone minus", "-", "expected a digit after '-'"),
        JSONRejectionCase("NaN", "NaN", "expected a value, found 'N'"),
        JSONRejectionCase("Infinity", "Infinity", "expected a value, found 'I'"),
        JSONRejectionCase("-Infinity", "-Infinity", "expected a digit after '-'"),
        JSONRejectionCase("overflowing exponent", "1e400", "too large for a double"),
        JSONRejectionCase("overflowing negative", "[-1.5e309]", "too large for a double"),
        JSONRejectionCase("overflowing long integer", String(repeating: "9", count: 400), "too large for a double"),
        JSONRejectionCase("hex number", "0x10", "unexpected data after the JSON value"),
        // Structure.
        JSONRejectionCase("trailing garbage", "{} x", "unexpected data after the JSON value, found 'x'"),
        JSONRejectionCase("two values", "1 2", "unexpected data after the JSON value"),
        JSONRejectionCase("extra bracket", "[]]", "unexpected data after the JSON value"),
        JSONRejectionCase("literal with extra letter", "nulll", "unexpected data after the JSON value"),
        JSONRejectionCase("truncated literal", "tru", "invalid literal (expected 'true')"),
        JSONRejectionCase("capitalized literal", "True", "expected a value, found 'T'"),
        JSONRejectionCase("byte order mark", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), "byte order mark",
                      at: "line 1, column 1"),
        JSONRejectionCase("trailing comma in array", "[1,2,]", "trailing comma"),
        JSONRejectionCase("trailing comma in object", #"{"a":1,}"#, "trailing comma"),
        JSONRejectionCase("leading comma", "[,1]", "expected a value, found ','"),
        JSONRejectionCase("line comment", "[1] // note", "unexpected data after the JSON value, found '/'"),
        JSONRejectionCase("block comment", "[/* note */ 1]", "expected a value, found '/'"),
        JSONRejectionCase("empty input", "", "expected a value, found end of input"),
        JSONRejectionCase("only whitespace", " \n\t ", "expected a value, found end of input"),
        JSONRejectionCase("form feed is not whitespace", "\u{0C}1", "expected a value, found U+000C"),
        JSONRejectionCase("no-break space is not whitespace", "\u{A0}1", "expected a value, found U+00A0"),
        JSONRejectionCase("unterminated string", #"["abc"#, "unterminated string"),
        JSONRejectionCase("unclosed array", "[1, 2", "expected ',' or ']', found end of input"),
        JSONRejectionCase("unclosed object", #"{"a": 1"#, "expected ',' or '}', found end of input"),
        JSONRejectionCase("missing colon", #"{"a" 1}"#, "expected ':' after member name"),
        JSONRejectionCase("missing comma", "[1 2]", "expected ',' or ']', found '2'"),
        JSONRejectionCase("unquoted key", "{a:1}", "expected a member name in double quotes"),
        JSONRejectionCase("single quotes", "['a']", "expected a value, found '''"),
    ]

    @Test("rejects invalid input with a message naming the problem", arguments: rejections)
    func rejects(_ rejection: JSONRejectionCase) throws {
        let error = try #require(jsonParseError(rejection.bytes))
        #expect(error.code == .invalidJSON)
        #expect(error.reason.contains(rejection.reason), "reason was: \(error.reason)")
        #expect(!error.reason.contains("\n"))
        if let location = rejection.location {
            #expect(error.location == location)
        } else {
            #expect(error.location?.hasPrefix("line ") == true)
        }
    }

    @Test("error locations count lines and characters")
    func errorLocation() throws {
        let error = try #require(jsonParseError(Array("{\n  \"é\": [1,\r\n    2,,\n]}".utf8)))
        #expect(error.reason == "expected a value, found ','")
        #expect(error.location == "line 3, column 7")
        #expect(error.description == "line 3, column 7: expected a value, found ','")
        let duplicate = try #require(jsonParseError(Array("{\"é\":1,\n \"\\u00e9\":2}".utf8)))
        #expect(duplicate.reason == #"duplicate member name "\u00e9""#)
        #expect(duplicate.location == "line 2, column 2")
    }

    @Test("duplicates are found in objects large enough to be indexed")
    func duplicateInLargeObject() throws {
        let members = (0..<20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let valid = try JSONParser.parse("{\(members)}")
        #expect(valid["k19"] == 19)
        #expect(valid.objectValue?.keys.first == "k0")
        let error = try #require(jsonParseError(Array("{\(members),\"k\\u0031\\u0037\":0}".utf8)))
        #expect(error.reason == #"duplicate member name "k17""#)
    }

    @Test("nesting to the depth limit parses, one level more fails")
    func depthLimit() throws {
        func nested(_ depth: Int, mixed: Bool) -> String {
            var text = "0"
            for level in 0..<depth {
                text = mixed && level.isMultiple(of: 2) ? #"{"a":\#(text)}"# : "[\(text)]"
            }
            return text
        }
        for mixed in [false, true] {
            _ = try JSONParser.parse(nested(64, mixed: mixed))
            let error = try #require(jsonParseError(Array(nested(65, mixed: mixed).utf8)))
            #expect(error.code == .invalidJSON)
            #expect(error.reason == "nesting is deeper than the limit of 64 levels")
        }
        // Empty containers count too.
        _ = try JSONParser.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))
        let empty = try #require(
            jsonParseError(Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)))
        #expect(empty.reason.contains("nesting is deeper"))
        // A custom limit, and scalars at depth 0.
        let limits = JSONLimits(maxDepth: 2)
        _ = try JSONParser.parse("[[1]]", limits: limits)
        #expect(jsonParseError(Array("[[[1]]]".utf8), limits: limits)?.reason.contains("limit of 2 levels") == true)
        _ = try JSONParser.parse("1", limits: JSONLimits(maxDepth: 0))
        #expect(jsonParseError(Array("[]".utf8), limits: JSONLimits(maxDepth: 0)) != nil)
    }

    @Test("deep input is rejected without deep recursion")
    func veryDeepInput() throws {
        let deep = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
        let error = try #require(jsonParseError(deep))
        #expect(error.reason.contains("nesting is deeper"))
        // A raised limit is honoured. (Not far higher: destroying, comparing and encoding a value recurse.)
        let text = String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000)
        _ = try JSONParser.parse(text, limits: JSONLimits(maxDepth: 2_000))
        #expect(jsonParseError(Array(text.utf8), limits: JSONLimits(maxDepth: 1_999)) != nil)
    }

    @Test("input over the size limit is rejected before parsing")
    func sizeLimit() throws {
        let atLimit = Array(repeating: UInt8(ascii: " "), count: 1_048_575) + [UInt8(ascii: "1")]
        #expect(try JSONParser.parse(atLimit) == 1)
        let overLimit = atLimit + [UInt8(ascii: " ")]
        let error = try #require(jsonParseError(overLimit))
        #expect(error.code == .invalidJSON)
        #expect(error.reason == "input is larger than the limit of 1048576 bytes")
        // Checked before parsing: garbage over the limit still reports the size.
        let small = JSONLimits(maxBytes: 4)
        #expect(jsonParseError(Array("?????".utf8), limits: small)?.reason.contains("limit of 4 bytes") == true)
        // The sequence overload stops reading at the limit.
        #expect(throws: AttestError.self) { try JSONParser.parse(repeatElement(UInt8(ascii: " "), count: 5), limits: small) }
        #expect(try JSONParser.parse(Array("[1]".utf8)[...], limits: small) == [1])
    }

    @Test("tricky valid input parses")
    func acceptsValidInput() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude02""#) == "😂")
        #expect(try JSONParser.parse(#""\uD83D\uDE02x""#) == "😂x")
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == "\"\\/\u{08}\u{0C}\n\r\t")
        #expect(try JSONParser.parse(#""\u0000""#) == "\u{0}")
        #expect(try JSONParser.parse(#""a\u00e9b""#) == "aéb")
        #expect(try JSONParser.parse("\"\u{7F}\"") == "\u{7F}")
        #expect(try JSONParser.parse("[]") == [])
        #expect(try JSONParser.parse("{}") == .object(JSONObject()))
        #expect(try JSONParser.parse(" \t\r\n[ { } , [ ] , \"\" ]\n") == [[:], [], ""])
        #expect(try JSONParser.parse(#"{"a":{"b":[1,{"c":null}]}}"#) == ["a": ["b": [1, ["c": nil]]]])
        #expect(try JSONParser.parse("true") == true)
        #expect(try JSONParser.parse("false") == false)
        #expect(try JSONParser.parse("null") == nil)
        #expect(try JSONParser.parse(#"{"":""}"#) == ["": ""])
        // Boundary code points in raw UTF-8.
        let boundaries: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for sequence in boundaries {
            let value = try JSONParser.parse(jsonBytes("\"", sequence, "\""))
            #expect(value.stringValue.map { Array($0.utf8) } == sequence)
        }
    }

    @Test("numbers keep their literal and exact values")
    func numbers() throws {
        let minusZero = try #require(try JSONParser.parse("-0").numberValue)
        #expect(minusZero.literal == "-0")
        #expect(minusZero.int64 == 0)
        #expect(minusZero.double == 0 && minusZero.double.sign == .minus)

        let exponent = try #require(try JSONParser.parse("1E+2").numberValue)
        #expect(exponent.literal == "1E+2")
        #expect(exponent.int64 == nil)
        #expect(exponent.double == 100)
        #expect(exponent == JSONNumber(100))

        #expect(try JSONParser.parse("9223372036854775807").int64Value == .max)
        #expect(try JSONParser.parse("-9223372036854775808").int64Value == .min)
        #expect(try JSONParser.parse("9223372036854775808").int64Value == nil)
        #expect(try JSONParser.parse("-9223372036854775809").int64Value == nil)
        #expect(try JSONParser.parse("9007199254740993").int64Value == 9_007_199_254_740_993)
        #expect(try JSONParser.parse("1.0").int64Value == nil)
        #expect(try JSONParser.parse("1e-400").doubleValue == 0)
        #expect(try JSONParser.parse("-1.25e-2").doubleValue == -0.0125)
        let tenth = try #require(JSONNumber(0.1))
        let large = try #require(JSONNumber(2.5e10))
        #expect(try JSONParser.parse("[0.1,2.5e10]") == [.number(tenth), .number(large)])
        #expect(large.literal == "25000000000")

        #expect(JSONNumber(literal: "12.50")?.double == 12.5)
        #expect(JSONNumber(literal: "-0")?.int64 == 0)
        #expect(JSONNumber(literal: "01") == nil)
        #expect(JSONNumber(literal: " 1") == nil)
        #expect(JSONNumber(literal: "1 ") == nil)
        #expect(JSONNumber(literal: "1e999") == nil)
        #expect(JSONNumber(.nan) == nil)
        #expect(JSONNumber(-.infinity) == nil)
        #expect(JSONNumber(5.0)?.literal == "5")
        #expect(JSONNumber(5.0)?.int64 == 5)
        #expect(JSONNumber(1e21)?.literal == "1e+21")
        #expect(JSONNumber(-7 as Int64).literal == "-7")
    }

    @Test("objects keep parse order and look members up by name")
    func objects() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2,"c":{"z":true}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.count == 3)
        #expect(object["a"] == 2)
        #expect(object["missing"] == nil)
        #expect(value["c"]?["z"] == true)
        // Equality ignores member order; numbers compare by value.
        #expect(value == (try JSONParser.parse(#"{"c":{"z":true},"a":2.0,"b":1e0}"#)))
        #expect(value != (try JSONParser.parse(#"{"b":1,"a":2,"c":{"z":false}}"#)))
        #expect(value != (try JSONParser.parse(#"{"b":1,"a":2}"#)))
    }

    @Test("JSONObject rejects duplicate names and supports updates")
    func objectConstruction() throws {
        #expect(throws: AttestError.self) {
            try JSONObject([(key: "a", value: 1), (key: "a", value: 2)])
        }
        var object = try JSONObject([(key: "x", value: "1"), (key: "y", value: [true])])
        #expect(object.keys == ["x", "y"])
        #expect(object.updateValue(false, forKey: "x") == "1")
        #expect(object.updateValue(3, forKey: "z") == nil)
        #expect(object.keys == ["x", "y", "z"])
        #expect(object["x"] == false)
        for position in 0..<20 { object.updateValue(.number(JSONNumber(position)), forKey: "n\(position)") }
        #expect(object["n13"] == 13)
        #expect(object.removeValue(forKey: "n3") == 3)
        #expect(object["n3"] == nil)
        #expect(object["n19"] == 19)
        #expect(object.count == 22)
        let literal: JSONValue = ["zeta": 1, "alpha": "two", "mid": nil]
        #expect(literal.objectValue?.keys == ["zeta", "alpha", "mid"])
    }

    @Test("the other overloads parse the same way")
    func overloads() throws {
        let text = #"{"k":[1,"v"]}"#
        let expected = try JSONParser.parse(Array(text.utf8))
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(Array(text.utf8)[...]) == expected)
        #expect(try JSONParser.parse(AnySequence(text.utf8)) == expected)
        let slice = Array("xx[1]yy".utf8)[2..<5]
        #expect(try JSONParser.parse(slice) == [1])
    }
}

@Suite("Typed reading with JSONObjectReader")
struct JSONObjectReaderTests {
    static let document = #"""
        {"name":"n","size":3,"ok":true,"tags":["a","b"],"signatures":[{"keyid":"k","sig":5}],
         "nested":{"inner":"x"},"ratio":1.5}
        """#

    @Test("reads every typed member and finishes cleanly")
    func readsDocument() throws {
        var reader = try JSONObjectReader(JSONParser.parse(Self.document))
        #expect(try reader.string("name") == "n")
        #expect(try reader.int("size") == 3)
        #expect(try reader.bool("ok"))
        #expect(try reader.stringArray("tags") == ["a", "b"])
        #expect(try reader.optionalString("absent") == nil)
        #expect(try reader.optionalInt("absent") == nil)
        #expect(reader.optionalValue("ratio")?.doubleValue == 1.5)
        var nested = try reader.object("nested")
        #expect(nested.path == "$.nested")
        #expect(try nested.string("inner") == "x")
        try nested.finish()
        var signatures = try reader.objectArray("signatures")
        #expect(signatures.count == 1)
        #expect(try signatures[0].string("keyid") == "k")
        // The element's member has the full path.
        let error = try #require(catching { _ = try signatures[0].string("sig") })
        #expect(error.code == .invalidDocument)
        #expect(error.reason == "expected a string, found a number")
        #expect(error.location == "$.signatures[0].sig")
        try reader.finish()
    }

    @Test("unknown members fail closed with their path")
    func unknownMember() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"outer":{"known":1,"x":2}}"#))
        var outer = try reader.object("outer")
        _ = try outer.int("known")
        try reader.finish()
        let error = try #require(catching { try outer.finish() })
        #expect(error.code == .invalidDocument)
        #expect(error.reason == #"unknown member "x""#)
        #expect(error.location == "$.outer.x")
        // Names that are not identifiers get a bracketed, escaped path.
        let odd = try JSONObjectReader(JSONParser.parse(#"{"a b\n":1}"#))
        #expect(catching { try odd.finish() }?.location == #"$["a b\u000a"]"#)
    }

    @Test("missing members are reported at the object's path")
    func missingMember() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"sub":{}}"#))
        var sub = try reader.object("sub")
        let error = try #require(catching { _ = try sub.string("sig") })
        #expect(error.code == .invalidDocument)
        #expect(error.reason == #"missing member "sig""#)
        #expect(error.location == "$.sub")
    }

    @Test("wrong types are reported at the member's path")
    func wrongType() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"s":1,"n":"1","b":null,"a":{},"o":[],"l":["x",2]}"#))
        #expect(catching { _ = try reader.string("s") }?.reason == "expected a string, found a number")
        #expect(catching { _ = try reader.int("n") }?.reason == "expected an integer, found a string")
        #expect(catching { _ = try reader.optionalBool("b") }?.reason == "expected a boolean, found null")
        #expect(catching { _ = try reader.array("a") }?.reason == "expected an array, found an object")
        #expect(catching { _ = try reader.object("o") }?.reason == "expected an object, found an array")
        let element = try #require(catching { _ = try reader.stringArray("l") })
        #expect(element.reason == "expected a string, found a number")
        #expect(element.location == "$.l[1]")
        #expect(catching { _ = try JSONObjectReader(.array([])) }?.location == "$")
    }

    @Test("integers only: fractions and exponents are rejected", arguments: ["1.0", "1e2", "1E+2", "-0.0"])
    func integersOnly(_ literal: String) throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"n":\#(literal)}"#))
        let error = try #require(catching { _ = try reader.int("n") })
        #expect(error.code == .invalidDocument)
        #expect(error.reason.contains("integers only"))
        #expect(error.reason.contains(literal))
        #expect(error.location == "$.n")
    }

    @Test("integers outside Int64 are rejected, not rounded")
    func integerRange() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"big":9223372036854775808,"min":-9223372036854775808}"#))
        #expect(catching { _ = try reader.int("big") }?.reason == "integer 9223372036854775808 is out of range")
        #expect(try reader.int("min") == .min)
    }

    @Test("paths for members and elements")
    func paths() {
        #expect(JSONPath.member("sig", of: JSONPath.element(0, of: "$.signatures")) == "$.signatures[0].sig")
        #expect(JSONPath.member("payload-type", of: "$") == #"$["payload-type"]"#)
        #expect(JSONPath.member("9", of: "$") == #"$["9"]"#)
        #expect(JSONPath.member("é", of: "$") == #"$["\u00e9"]"#)
    }
}

/// The `AttestError` thrown by `body`, or nil when it succeeds (or throws anything else).
/// Untyped so closures written inside `#expect` infer cleanly.
private func catching(_ body: () throws -> Void) -> AttestError? {
    do {
        try body()
        return nil
    } catch {
        return error as? AttestError
    }
}
