#if canImport(Glibc)
import Glibc
#endif

/// What a device remembers between verifications: the highest sequence accepted per chip (rollback),
/// the newest issuedAt accepted (so turning the clock back revives nothing), and the newest revocation
/// list version per issuer.
public struct DeviceState: Sendable, Equatable {
    public var rollback: [String: Int] = [:]
    public var newestAccepted: Timestamp?
    public var revocationVersions: [String: Int] = [:]

    public init() {}

    init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        let format = try reader.int("format")
        guard format == 1 else { throw AttestError(.invalidDocument, "unknown state format \(format)", at: reader.path(of: "format")) }
        if let text = try reader.optionalString("newestAccepted") {
            guard let t = Timestamp(text) else { throw AttestError(.invalidDocument, "bad time", at: reader.path(of: "newestAccepted")) }
            newestAccepted = t
        }
        for (key, value) in try reader.object("rollback").object {
            guard let v = value.int64Value else { throw AttestError(.invalidDocument, "expected an integer", at: "$.rollback.\(key)") }
            rollback[key] = Int(v)
        }
        for (key, value) in try reader.object("revocationVersions").object {
            guard let v = value.int64Value else { throw AttestError(.invalidDocument, "expected an integer", at: "$.revocationVersions.\(key)") }
            revocationVersions[key] = Int(v)
        }
        try reader.finish()
    }

    var json: JSONValue {
        var rollbackObject = JSONObject()
        for (k, v) in rollback { _ = rollbackObject.updateValue(.number(JSONNumber(Int64(v))), forKey: k) }
        var versions = JSONObject()
        for (k, v) in revocationVersions { _ = versions.updateValue(.number(JSONNumber(Int64(v))), forKey: k) }
        var object: JSONObject = ["format": 1, "rollback": .object(rollbackObject), "revocationVersions": .object(versions)]
        if let newestAccepted { _ = object.updateValue(.string(newestAccepted.description), forKey: "newestAccepted") }
        return .object(object)
    }
}

/// A device's state directory. Every read-modify-write happens under an exclusive `flock` on
/// `state.lock`, and every file is replaced atomically, so concurrent processes lose nothing and a
/// crash leaves the old or the new state, never a mix.
///
/// Layout: `state.json` (DeviceState), `root.json` (the trusted root envelope), `revocations/<issuer>.json`.
public struct DeviceStateDirectory: Sendable {
    public let path: String

    /// Opens (and creates, mode 0700) a state directory. Failures are environment errors (exit 3).
    public init(path: String) throws(AttestError) {
        self.path = path
        try Self.makeDirectory(path)
        try Self.makeDirectory(path + "/revocations")
    }

    static func makeDirectory(_ path: String) throws(AttestError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw AttestError(.environment, "cannot create the state directory: \(String(cString: strerror(errno)))", at: path)
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw AttestError(.environment, "the state directory is not a directory", at: path)
        }
    }

    /// The state as read under the lock, and what to write back.
    public struct Transaction {
        public var state: DeviceState
        /// The trusted root envelope, if one was stored.
        public let trustedRoot: NamedInput?
        /// Stored revocation lists.
        public let revocations: [NamedInput]
        var newRoot: [UInt8]?
        var newRevocations: [String: [UInt8]] = [:]

        public mutating func storeRoot(_ envelope: [UInt8]) { newRoot = envelope }
        public mutating func storeRevocation(issuer: String, envelope: [UInt8]) { newRevocations[issuer] = envelope }
    }

    /// Runs `body` with the state locked; writes back whatever it changed.
    public func withLock<T>(_ body: (inout Transaction) throws(AttestError) -> T) throws(AttestError) -> T {
        let lockPath = path + "/state.lock"
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AttestError(.environment, "cannot open the state lock: \(String(cString: strerror(errno)))", at: lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw AttestError(.environment, "cannot lock the state: \(String(cString: strerror(errno)))", at: lockPath) }
        }
        defer { _ = flock(fd, LOCK_UN) }

        let original = try readState()
        var transaction = Transaction(state: original, trustedRoot: try readOptional("root.json"), revocations: try readRevocations())
        let result = try body(&transaction)
        do throws(AttestError) {
            if let root = transaction.newRoot { try AtomicFile.write(root, to: path + "/root.json", mode: 0o600) }
            for (issuer, bytes) in transaction.newRevocations {
                try AtomicFile.write(bytes, to: "\(path)/revocations/\(issuer).json", mode: 0o600)
            }
            if transaction.state != original {
                try AtomicFile.write(CanonicalJSON.encode(transaction.state.json) + [0x0a], to: path + "/state.json", mode: 0o600)
            }
        } catch {
            throw AttestError(.environment, "cannot write device state: \(error.description)")
        }
        return result
    }

    private func readState() throws(AttestError) -> DeviceState {
        guard let input = try readOptional("state.json") else { return DeviceState() }
        do throws(AttestError) {
            return try DeviceState(json: JSONParser.parse(input.bytes))
        } catch {
            throw AttestError(.environment, "the device state is corrupt: \(error.description)", at: input.name)
        }
    }

    private func readOptional(_ name: String) throws(AttestError) -> NamedInput? {
        let file = path + "/" + name
        guard AtomicFile.exists(file) else { return nil }
        do throws(AttestError) {
            return try NamedInput.read(file)
        } catch {
            throw AttestError(.environment, "cannot read device state: \(error.description)")
        }
    }

    private func readRevocations() throws(AttestError) -> [NamedInput] {
        guard let dir = opendir(path + "/revocations") else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json") && !name.hasPrefix(".") { names.append(name) }
        }
        var inputs: [NamedInput] = []
        for name in names.sorted() {
            if let input = try readOptional("revocations/" + name) { inputs.append(input) }
        }
        return inputs
    }
}
