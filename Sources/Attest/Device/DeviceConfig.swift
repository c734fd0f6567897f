#if canImport(Glibc)
import Glibc
#endif

/// A provisioned device's configuration, `<state-dir>/config.json`, written by `attest device init`.
///
/// Guarantees after `init(json:)`: strict members only; a valid region; non-empty paths.
public struct DeviceConfig: Sendable, Equatable {
    public static let fileName = "config.json"

    public var region: String
    /// Where signed documents for this device arrive: manifests, delegations, revocations, newer roots.
    public var bundleDirectory: String
    public var probeRoot: String
    public var nvidiaSMI: String
    /// File names inside the state directory.
    public var signingKey: String
    public var sealingKey: String

    public init(region: String, bundleDirectory: String, probeRoot: String = "/", nvidiaSMI: String = "nvidia-smi",
                signingKey: String = "device.key", sealingKey: String = "device-x25519.key") {
        self.region = region
        self.bundleDirectory = bundleDirectory
        self.probeRoot = probeRoot
        self.nvidiaSMI = nvidiaSMI
        self.signingKey = signingKey
        self.sealingKey = sealingKey
    }

    public init(json value: JSONValue) throws(AttestError) {
        var r = try JSONObjectReader(value)
        region = try r.string("region")
        guard Region.isValid(region) else { throw AttestError(.invalidDocument, "\"\(region)\" is not an ISO 3166 code", at: r.path(of: "region")) }
        bundleDirectory = try r.string("manifests")
        probeRoot = try r.string("probeRoot")
        nvidiaSMI = try r.string("nvidiaSmi")
        signingKey = try r.string("signingKey")
        sealingKey = try r.string("sealingKey")
        for (key, value) in [("manifests", bundleDirectory), ("probeRoot", probeRoot), ("nvidiaSmi", nvidiaSMI),
                             ("signingKey", signingKey), ("sealingKey", sealingKey)] where value.isEmpty {
            throw AttestError(.invalidDocument, "\(key) is empty", at: r.path(of: key))
        }
        try r.finish()
    }

    public var json: JSONValue {
        ["region": .string(region), "manifests": .string(bundleDirectory), "probeRoot": .string(probeRoot),
         "nvidiaSmi": .string(nvidiaSMI), "signingKey": .string(signingKey), "sealingKey": .string(sealingKey)]
    }

    /// Reads the config of the device whose state lives in `stateDirectory`.
    public static func load(stateDirectory: String) throws(AttestError) -> DeviceConfig {
        let path = stateDirectory + "/" + fileName
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else {
                // An unreadable config is the machine's problem, not a device that was never provisioned.
                throw AttestError(.environment, "cannot read the device config: \(AtomicFile.errnoText())", at: path)
            }
            throw AttestError(.usage, "this device is not provisioned: no \(fileName) (run 'attest device init', or give --device and --root)", at: stateDirectory)
        }
        try PrivatePath.check(stateDirectory, what: "state directory")
        try PrivatePath.check(path, what: "device config")
        let input: NamedInput
        do throws(AttestError) {
            input = try NamedInput.read(path)
        } catch {
            throw AttestError(.environment, error.reason, at: path)
        }
        do throws(AttestError) {
            return try DeviceConfig(json: JSONParser.parse(input.bytes))
        } catch {
            throw AttestError(.usage, "bad device config: \(error.description)").inFile(path)
        }
    }
}
