#if canImport(Glibc)
import Glibc
#endif

/// What a device remembers between verifications: the highest sequence accepted per chip (rollback), the
/// newest version accepted per delegation, everything each revocation issuer revoked (revocations only
/// grow), and the clock floor: the newest time the device has seen, so turning the clock back revives
/// nothing.
///
/// `state.json` is format 2. A format 1 file (newestAccepted, revocationVersions) is migrated when read:
/// newestAccepted becomes the clock floor and the stored lists in `revocations/` become the records; any
/// other format fails closed.
public struct DeviceState: Sendable, Equatable {
    public static let format = 2

    public var rollback: [String: Int] = [:]
    /// The newest time the device has seen: the clock at each accepted decision and every accepted issuedAt.
    public var clockFloor: Timestamp?
    /// The newest version of each delegation this device accepted (`delegation.rollback`).
    public var delegations: [String: Int] = [:]
    /// What each revocation issuer revoked, as accepted by this device.
    public var revocations: [String: RevocationRecord] = [:]
    /// The format the file was read in; an older one is written back as the current format.
    var loadedFormat = DeviceState.format

    public init() {}

    /// Reads `state.json`; `storedLists` are the lists a format 1 device kept beside it (read only to migrate).
    init(json value: JSONValue, storedLists: () throws(AttestError) -> [NamedInput]) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        let format = try reader.int("format")
        guard format == 1 || format == Self.format else {
            throw AttestError(.invalidDocument, "unknown state format \(format)", at: reader.path(of: "format"))
        }
        if let text = try reader.optionalString(format == 1 ? "newestAccepted" : "clockFloor") {
            guard let t = Timestamp(text) else { throw AttestError(.invalidDocument, "bad time", at: reader.path(of: format == 1 ? "newestAccepted" : "clockFloor")) }
            clockFloor = t
        }
        rollback = try Self.counters(&reader, "rollback")
        loadedFormat = Int(format)
        if format == 1 {
            let versions = try Self.counters(&reader, "revocationVersions")
            try reader.finish()
            try migrate(storedLists(), versions: versions)
            return
        }
        delegations = try Self.counters(&reader, "delegations")
        let lists = try reader.object("revocations")
        for (issuer, value) in lists.object {
            guard DocumentFields.isSlug(issuer) else { throw AttestError(.invalidDocument, "not an issuer name", at: lists.path(of: issuer)) }
            revocations[issuer] = try RevocationRecord(json: value, at: lists.path(of: issuer))
        }
        try reader.finish()
    }

    /// Format 1 kept the newest accepted list per issuer as a file, re-verified on every run. Its entries
    /// were accepted when stored: they become the records, and are not judged again under a later root.
    private mutating func migrate(_ stored: [NamedInput], versions: [String: Int]) throws(AttestError) {
        for input in stored {
            switch DocumentReader.read(input, as: .revocation, decode: Revocation.init(json:)) {
            case .success(let doc):
                let list = doc.document
                if revocations[list.issuer] == nil { revocations[list.issuer] = RevocationRecord(list) } else { revocations[list.issuer]?.merge(list) }
                if let seen = versions[list.issuer], seen > (revocations[list.issuer]?.version ?? 0) { revocations[list.issuer]?.version = seen }
            case .failure(let error):
                throw AttestError(.invalidDocument, "a stored revocation list cannot be migrated: \(error.description)")
            }
        }
    }

    private static func counters(_ reader: inout JSONObjectReader, _ key: String) throws(AttestError) -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, value) in try reader.object(key).object {
            guard let v = value.int64Value, v >= 0, v <= Int64(Int32.max) else {
                throw AttestError(.invalidDocument, "expected an integer from 0 to 2^31-1", at: "$.\(key).\(name)")
            }
            out[name] = Int(v)
        }
        return out
    }

    var json: JSONValue {
        func counters(_ map: [String: Int]) -> JSONValue {
            var object = JSONObject()
            for (k, v) in map { _ = object.updateValue(.number(JSONNumber(Int64(v))), forKey: k) }
            return .object(object)
        }
        var lists = JSONObject()
        for (issuer, record) in revocations { _ = lists.updateValue(record.json, forKey: issuer) }
        var object: JSONObject = ["format": .number(JSONNumber(Int64(Self.format))), "rollback": counters(rollback),
                                  "delegations": counters(delegations), "revocations": .object(lists)]
        if let clockFloor { _ = object.updateValue(.string(clockFloor.description), forKey: "clockFloor") }
        return .object(object)
    }

    /// What differs from `original`, one line per thing advanced.
    func changes(from original: DeviceState) -> [StateChange] {
        var out: [StateChange] = []
        for serial in rollback.keys.sorted() where rollback[serial] != original.rollback[serial] {
            out.append(StateChange(kind: .rollback, subject: serial, from: original.rollback[serial].map(String.init), to: String(rollback[serial] ?? 0)))
        }
        for name in delegations.keys.sorted() where delegations[name] != original.delegations[name] {
            out.append(StateChange(kind: .delegation, subject: name, from: original.delegations[name].map { "v\($0)" }, to: "v\(delegations[name] ?? 0)"))
        }
        for issuer in revocations.keys.sorted() {
            guard let now = revocations[issuer], now != original.revocations[issuer] else { continue }
            let before = original.revocations[issuer]
            let grew = before.map { now.manifests.count + now.keys.count + now.delegations.count - $0.manifests.count - $0.keys.count - $0.delegations.count } ?? 0
            let to = before?.version == now.version ? "v\(now.version)" + (grew > 0 ? " (+\(grew) entries)" : " (issued \(now.issuedAt))") : "v\(now.version)"
            out.append(StateChange(kind: .revocation, subject: issuer, from: before.map { "v\($0.version)" }, to: to))
        }
        if clockFloor != original.clockFloor, let floor = clockFloor {
            out.append(StateChange(kind: .clockFloor, from: original.clockFloor?.description, to: floor.description))
        }
        return out
    }
}

/// A device's state directory. Every read-modify-write happens under an exclusive `flock` on
/// `state.lock`, and every file is replaced atomically, so concurrent processes lose nothing and a
/// crash leaves the old or the new state, never a mix.
///
/// Layout: `state.json` (DeviceState), `root.json` (the trusted root envelope), `revocations/<issuer>.json`
/// (the newest list accepted from each issuer, kept as evidence; format 2 decides from `state.json`).
public struct DeviceStateDirectory: Sendable {
    public let path: String

    /// Opens (and, unless `create` is false, creates with mode 0700) a state directory. Failures are
    /// environment errors (exit 3). Without `create`, a missing directory reads as an empty state.
    public init(path: String, create: Bool = true) throws(AttestError) {
        self.path = path
        guard create else { return }
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
        let original: DeviceState
        var newRoot: [UInt8]?
        var rootChange: StateChange?
        var newRevocations: [String: [UInt8]] = [:]

        var wasMigrated: Bool { original.loadedFormat != DeviceState.format }

        init(state: DeviceState, trustedRoot: NamedInput?) {
            self.state = state
            self.original = state
            self.trustedRoot = trustedRoot
        }

        /// Replaces the trusted root; `version` and `replacing` name the change for `changes`.
        public mutating func storeRoot(_ envelope: [UInt8], version: Int? = nil, replacing old: Int? = nil) {
            newRoot = envelope
            rootChange = StateChange(kind: .root, from: old.map { "v\($0)" }, to: version.map { "v\($0)" } ?? "stored")
        }
        public mutating func storeRevocation(issuer: String, envelope: [UInt8]) { newRevocations[issuer] = envelope }

        /// What this transaction will write, one entry per thing advanced.
        public var changes: [StateChange] {
            (rootChange.map { [$0] } ?? []) + state.changes(from: original)
        }
    }

    /// Runs `body` with the state locked; writes back whatever it changed.
    public func withLock<T>(_ body: (inout Transaction) throws(AttestError) -> T) throws(AttestError) -> T {
        let lockPath = path + "/state.lock"
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AttestError(.environment, "cannot open the state lock: \(String(cString: strerror(errno)))", at: lockPath) }
        defer { close(fd) }
        try Self.lock(fd, LOCK_EX, lockPath)
        defer { _ = flock(fd, LOCK_UN) }

        var transaction = Transaction(state: try readState(), trustedRoot: try readOptional("root.json"))
        let result = try body(&transaction)
        do throws(AttestError) {
            if let root = transaction.newRoot { try AtomicFile.write(root, to: path + "/root.json", mode: 0o600) }
            for (issuer, bytes) in transaction.newRevocations {
                try AtomicFile.write(bytes, to: "\(path)/revocations/\(issuer).json", mode: 0o600)
            }
            if transaction.state != transaction.original || transaction.wasMigrated {
                try AtomicFile.write(CanonicalJSON.encode(transaction.state.json) + [0x0a], to: path + "/state.json", mode: 0o600)
            }
        } catch {
            throw AttestError(.environment, "cannot write device state: \(error.description)")
        }
        return result
    }

    /// Reads the state under a shared lock and writes nothing, creating nothing (a read-only `verify`).
    public func read() throws(AttestError) -> Transaction {
        let lockPath = path + "/state.lock"
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            try Self.lock(fd, LOCK_SH, lockPath)
            defer { _ = flock(fd, LOCK_UN) }
            return Transaction(state: try readState(), trustedRoot: try readOptional("root.json"))
        }
        return Transaction(state: try readState(), trustedRoot: try readOptional("root.json"))
    }

    private static func lock(_ fd: Int32, _ operation: Int32, _ lockPath: String) throws(AttestError) {
        while flock(fd, operation) != 0 {
            if errno != EINTR { throw AttestError(.environment, "cannot lock the state: \(String(cString: strerror(errno)))", at: lockPath) }
        }
    }

    private func readState() throws(AttestError) -> DeviceState {
        guard let input = try readOptional("state.json") else { return DeviceState() }
        do throws(AttestError) {
            return try DeviceState(json: JSONParser.parse(input.bytes)) { () throws(AttestError) in try readRevocations() }
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

/// One thing a recording verification taught the device (root v1 → v2, a chip's rollback counter, a
/// revocation list, a delegation version, the clock floor), so commands can say what they changed.
public struct StateChange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case root, rollback, revocation, delegation, clockFloor }

    public let kind: Kind
    /// The chip serial, list issuer or delegation name; nil for the root and the clock floor.
    public let subject: String?
    public let from: String?
    public let to: String

    public init(kind: Kind, subject: String? = nil, from: String?, to: String) {
        self.kind = kind
        self.subject = subject
        self.from = from
        self.to = to
    }

    public var description: String {
        let change = from.map { "\($0) -> \(to)" } ?? to
        switch kind {
        case .root: return "root \(change)"
        case .rollback: return "chip \(subject ?? "?") rollback \(change)"
        case .revocation: return "revocation list \(subject ?? "?") \(change)"
        case .delegation: return "delegation \(subject ?? "?") \(change)"
        case .clockFloor: return "clock floor \(change)"
        }
    }

    public var json: JSONValue {
        var object: JSONObject = ["kind": .string(kind.rawValue), "to": .string(to)]
        if let subject { _ = object.updateValue(.string(subject), forKey: "subject") }
        if let from { _ = object.updateValue(.string(from), forKey: "from") }
        return .object(object)
    }
}
