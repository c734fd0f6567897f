import Foundation

/// Finds the shared test vectors: `../shared/vectors` beside the checkout, or `$ATTEST_VECTORS`.
/// When neither exists (a clone elsewhere), vector tests skip and say so.
public enum Vectors {
    /// The checkout's root: the folder holding Package.swift.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static let root: URL? = {
        if let env = ProcessInfo.processInfo.environment["ATTEST_VECTORS"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    public static var available: Bool {
        if root == nil {
            print("skipping vector tests: ../shared/vectors was not found beside the checkout (set ATTEST_VECTORS to its path)")
        }
        return root != nil
    }

    /// The file at `relative` inside the vectors folder; nil (with a note) when the folder is absent.
    public static func url(_ relative: String) -> URL? {
        root?.appendingPathComponent(relative)
    }

    public static func data(_ relative: String) throws -> Data {
        guard let url = url(relative) else { throw VectorsMissing() }
        return try Data(contentsOf: url)
    }

    public struct VectorsMissing: Error, CustomStringConvertible {
        public var description: String { "../shared/vectors is not present" }
    }
}

/// Hex for tests.
public func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: 0
        }
    }
    while let hi = iterator.next(), let lo = iterator.next() {
        out.append(nibble(hi) << 4 | nibble(lo))
    }
    return out
}
