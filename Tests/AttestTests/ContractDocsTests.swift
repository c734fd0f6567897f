import Attest
import AttestTestSupport
import Foundation
import Testing

/// The contract in docs/ is what users read: its lists must be the code's, both ways.
@Suite("Contract docs")
struct ContractDocsTests {
    /// The ids in the first column of docs/checks.md's tables, in order.
    static func documentedIDs() throws -> [String] {
        let text = try String(contentsOf: Vectors.repositoryRoot.appendingPathComponent("docs/checks.md"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let cell = line.dropFirst(3)
            guard let end = cell.firstIndex(of: "`") else { return nil }
            return String(cell[..<end])
        }
    }

    @Test("docs/checks.md lists every verification and audit check id, and no other")
    func checkIDs() throws {
        let documented = try Self.documentedIDs()
        let code = CheckID.allCases.map(\.rawValue) + AuditCheckID.allCases.map(\.rawValue)
        #expect(Set(documented).count == documented.count, "an id is listed twice")
        #expect(Set(documented).subtracting(code).sorted() == [], "documented but not in the code")
        #expect(Set(code).subtracting(documented).sorted() == [], "in the code but not documented")
    }
}
