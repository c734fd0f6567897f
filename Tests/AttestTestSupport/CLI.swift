import Foundation

/// Runs the built `attest` binary as a user would, capturing what it prints and its exit status.
public enum CLI {
    public struct Outcome: CustomStringConvertible {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// The binary beside the test bundle (`swift build` puts both in one products folder), or `$ATTEST_BIN`.
    public static let binary: URL = {
        if let env = ProcessInfo.processInfo.environment["ATTEST_BIN"], !env.isEmpty { return URL(fileURLWithPath: env) }
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("attest"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("attest"))
        candidates.append(Vectors.repositoryRoot.appendingPathComponent(".build/debug/attest"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[candidates.count - 1]
    }()

    /// The development tool (`attest-dev`: generators for benchmarks and tests), built beside the binary.
    public static var devBinary: URL { binary.deletingLastPathComponent().appendingPathComponent("AttestDev") }

    @discardableResult
    public static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], directory: URL? = nil) throws -> Outcome {
        try run(executable: binary, arguments, stdin: stdin, environment: environment, directory: directory)
    }

    public static func run(executable: URL, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], directory: URL? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ATTEST_PASSPHRASE")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child. The readers are threads of their
        // own: blocking reads on libdispatch's shared pool starve it when many tests spawn processes at once.
        let outBox = Reader(outPipe.fileHandleForReading), errBox = Reader(errPipe.fileHandleForReading)
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try? inPipe.fileHandleForWriting.close()
        outBox.wait()
        errBox.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: outBox.data, as: UTF8.self),
                       stderr: String(decoding: errBox.data, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class Reader: @unchecked Sendable {
    private(set) var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    func wait() { done.wait() }
}

/// A temporary directory removed when the value is dropped.
public final class TemporaryDirectory {
    public let url: URL
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("attest-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }
    public func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }
    deinit { try? FileManager.default.removeItem(at: url) }
}
