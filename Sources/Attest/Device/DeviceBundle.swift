#if canImport(Glibc)
import Glibc
#endif

/// The signed documents a device holds in its manifests directory, sorted by payload type: manifests,
/// delegations, revocation lists, and newer roots (for rotation). A file that is not an envelope of a
/// known type is kept with the manifests, so verification reports it under `envelope.format`.
public struct DeviceBundle: Sendable {
    public var manifests: [NamedInput] = []
    public var delegations: [NamedInput] = []
    public var revocations: [NamedInput] = []
    public var roots: [NamedInput] = []

    public init() {}

    public static func read(directory: String) throws(AttestError) -> DeviceBundle {
        guard let dir = opendir(directory) else {
            throw AttestError(.usage, "cannot read the manifests directory: \(String(cString: strerror(errno)))", at: directory)
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".json") && !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        var bundle = DeviceBundle()
        for name in names.sorted() {
            let input = readEntry(directory + "/" + name)
            switch payloadType(of: input.bytes) {
            case .delegation?: bundle.delegations.append(input)
            case .revocation?: bundle.revocations.append(input)
            case .root?: bundle.roots.append(input)
            default: bundle.manifests.append(input)
            }
        }
        return bundle
    }

    /// Largest file read from the directory: a signed document is a few KiB.
    static let maxFileSize = 2 << 20

    /// One file of the directory, which anyone who fills it may have put there. Opening never blocks (a FIFO
    /// with no writer), only regular files are read, and whatever is wrong with one file is kept as its
    /// problem, for `envelope.format`, so the device goes on with the rest.
    static func readEntry(_ path: String) -> NamedInput {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "a link to nothing" : AtomicFile.errnoText()
            return NamedInput(name: path, problem: "cannot be read: \(reason)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return NamedInput(name: path, problem: "cannot be read: \(AtomicFile.errnoText())") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return NamedInput(name: path, problem: "is a directory, not a signed document")
        case S_IFIFO: return NamedInput(name: path, problem: "is a FIFO, not a signed document")
        default: return NamedInput(name: path, problem: "is not a regular file")
        }
        guard info.st_size <= maxFileSize else {
            return NamedInput(name: path, problem: "is \(info.st_size) bytes, over the \(maxFileSize) a signed document may be")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return NamedInput(name: path, problem: "cannot be read: \(AtomicFile.errnoText())") }
            if n == 0 { break }
            done += n
        }
        return NamedInput(name: path, bytes: Array(bytes[0..<done]))
    }

    /// The payloadType member, read without decoding the payload.
    static func payloadType(of bytes: [UInt8]) -> PayloadType? {
        guard let value = try? JSONParser.parse(bytes, limits: .envelope), case .object(let object) = value,
              case .string(let type)? = object["payloadType"] else { return nil }
        return PayloadType(rawValue: type)
    }
}
