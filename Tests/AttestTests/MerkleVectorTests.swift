import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// transparency-dev/merkle's RFC 6962 test data, read from ../shared/vectors at test time: every valid case
/// verifies, every must-fail case is refused, and our proofs for the reference tree are the ones given.
@Suite("Merkle tree vectors", .enabled(if: Vectors.available))
struct MerkleVectorTests {
    struct Case {
        let path: String
        let json: JSONValue
        var wantErr: Bool { json["wantErr"]?.boolValue ?? false }
    }

    static func cases(_ folder: String) throws -> [Case] {
        let base = try #require(Vectors.url("merkle-rfc6962/\(folder)"))
        let walker = try #require(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
        var cases: [Case] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
            cases.append(Case(path: String(url.path.dropFirst(base.path.count + 1)), json: json))
        }
        return cases.sorted { $0.path < $1.path }
    }

    /// The reference tree of testonly/constants.go.
    static func constants() throws -> JSONValue {
        try JSONParser.parse(Array(try Vectors.data("merkle-rfc6962/rfc6962_tree_constants.json")))
    }

    static func referenceTree() throws -> InMemoryMerkleTree {
        let inputs = try #require(try constants()["leafInputsHex"]?.arrayValue)
        return InMemoryMerkleTree(entries: try inputs.map { hexBytes(try #require($0.stringValue)) })
    }

    static func bytes(_ value: JSONValue?) throws -> [UInt8] {
        let text = try #require(value?.stringValue)
        return Array(try #require(Data(base64Encoded: text)))
    }

    static func proof(_ value: JSONValue?) throws -> [[UInt8]] {
        // Upstream writes an empty proof as null.
        guard let items = value?.arrayValue else { return [] }
        return try items.map { try bytes($0) }
    }

    static func uint(_ value: JSONValue?) throws -> UInt64 {
        // Not through Double: "leafIdx - 1" cases hold 2^64 - 1.
        let literal = try #require(value?.numberValue?.literal)
        return try #require(UInt64(literal))
    }

    @Test("every inclusion case: valid ones verify, must-fail ones are refused")
    func inclusion() throws {
        let cases = try Self.cases("inclusion")
        let tree = try Self.referenceTree()
        var valid = 0
        for c in cases {
            let index = try Self.uint(c.json["leafIdx"])
            let size = try Self.uint(c.json["treeSize"])
            let proof = try Self.proof(c.json["proof"])
            let result = MerkleTree.verifyInclusion(leafHash: try Self.bytes(c.json["leafHash"]), index: index, size: size,
                                                    proof: proof, root: try Self.bytes(c.json["root"]))
            #expect(result.isValid == !c.wantErr, "\(c.path): \(result)")
            if !c.wantErr { valid += 1 }
            // Happy paths over the reference tree: our generator makes the very proof given.
            if c.path.hasSuffix("happy-path.json"), size <= tree.size {
                #expect(try tree.inclusionProof(index: index, size: size) == proof, "\(c.path)")
            }
        }
        print("Merkle inclusion vectors: \(cases.count) cases ran (\(valid) valid, \(cases.count - valid) must-fail)")
        #expect(cases.count >= 90)
    }

    @Test("every consistency case: valid ones verify, must-fail ones are refused")
    func consistency() throws {
        let cases = try Self.cases("consistency")
        let tree = try Self.referenceTree()
        var valid = 0
        for c in cases {
            let size1 = try Self.uint(c.json["size1"])
            let size2 = try Self.uint(c.json["size2"])
            let proof = try Self.proof(c.json["proof"])
            let result = MerkleTree.verifyConsistency(size1: size1, size2: size2, root1: try Self.bytes(c.json["root1"]),
                                                      root2: try Self.bytes(c.json["root2"]), proof: proof)
            #expect(result.isValid == !c.wantErr, "\(c.path): \(result)")
            if !c.wantErr { valid += 1 }
            if c.path.hasSuffix("happy-path.json"), size2 <= tree.size {
                #expect(try tree.consistencyProof(from: size1, to: size2) == proof, "\(c.path)")
            }
        }
        print("Merkle consistency vectors: \(cases.count) cases ran (\(valid) valid, \(cases.count - valid) must-fail)")
        #expect(cases.count >= 90)
    }

    @Test("hasher answers, leaf hashes and every root of the reference tree")
    func treeConstants() throws {
        let constants = try Self.constants()
        var checked = 0
        for kat in try #require(constants["hasherKats"]?.arrayValue) {
            let want = hexBytes(try #require(kat["hex"]?.stringValue))
            if let input = kat["leafInputHex"]?.stringValue {
                #expect(MerkleTree.leafHash(hexBytes(input)) == want)
            } else if let left = kat["leftHex"]?.stringValue, let right = kat["rightHex"]?.stringValue {
                #expect(MerkleTree.nodeHash(hexBytes(left), hexBytes(right)) == want)
            } else {
                #expect(MerkleTree.emptyRoot == want)
            }
            checked += 1
        }
        let inputs = try #require(constants["leafInputsHex"]?.arrayValue).map { hexBytes($0.stringValue ?? "") }
        let leafHashes = try #require(constants["leafHashesHex"]?.arrayValue).map { hexBytes($0.stringValue ?? "") }
        #expect(inputs.map { MerkleTree.leafHash($0) } == leafHashes)
        checked += leafHashes.count

        let roots = try #require(constants["rootHashesHexBySize"]?.objectValue)
        var tree = InMemoryMerkleTree()
        var frontier = CompactRange()
        for size in 0...inputs.count {
            let want = hexBytes(try #require(roots["\(size)"]?.stringValue))
            #expect(try tree.root(size: UInt64(size)) == want, "size \(size)")
            #expect(MerkleTree.root(leafHashes: Array(leafHashes.prefix(size))) == want, "size \(size)")
            #expect(frontier.root == want, "size \(size)")
            if size < inputs.count {
                tree.append(entry: inputs[size])
                frontier.append(entry: inputs[size])
            }
            checked += 1
        }
        print("Merkle tree constants: \(checked) hashes and roots checked")
    }
}
