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
            let input = try NamedInput.read(directory + "/" + name)
            switch payloadType(of: input.bytes) {
            case .delegation?: bundle.delegations.append(input)
            case .revocation?: bundle.revocations.append(input)
            case .root?: bundle.roots.append(input)
            default: bundle.manifests.append(input)
            }
        }
        return bundle
    }

    /// The payloadType member, read without decoding the payload.
    static func payloadType(of bytes: [UInt8]) -> PayloadType? {
        guard let value = try? JSONParser.parse(bytes, limits: .envelope), case .object(let object) = value,
              case .string(let type)? = object["payloadType"] else { return nil }
        return PayloadType(rawValue: type)
    }
}
