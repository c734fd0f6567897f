#if canImport(Glibc)
import Glibc
#endif

/// Reads what hardware a device has. Every source lives under `root`, so tests point it at fake trees:
/// NVIDIA GPUs from `nvidia-smi` (path configurable), the DMI tables under `/sys/class/dmi/id`, and the
/// device tree under `/proc/device-tree` (Jetson-style modules).
public struct HardwareProbe: Sendable {
    public struct GPU: Sendable, Equatable {
        public let index: Int
        public let uuid: String
        public let chip: Manifest.Chip
    }

    public struct Host: Sendable, Equatable {
        public var dmiProductSerial: String?
        public var dmiProductName: String?
        public var dmiBoardName: String?
        public var deviceTreeSerial: String?
        public var deviceTreeModel: String?
        public var dmiVendor: String?
    }

    public struct Report: Sendable, Equatable {
        public var gpus: [GPU]
        public var host: Host

        /// The chips verification covers: the GPUs; on a device without them, the module the device
        /// tree describes (a Jetson's serial and model).
        public var chips: [Manifest.Chip] {
            if !gpus.isEmpty { return gpus.map(\.chip) }
            if let serial = host.deviceTreeSerial, let model = host.deviceTreeModel, DocumentFields.isSerial(serial) {
                return [HardwareProbe.chip(vendorHint: nil, model: model, serial: serial)]
            }
            // An appliance whose accelerator is the board itself: the DMI product.
            if let serial = host.dmiProductSerial, let model = host.dmiProductName, DocumentFields.isSerial(serial) {
                return [HardwareProbe.chip(vendorHint: host.dmiVendor, model: model, serial: serial)]
            }
            return []
        }
    }

    public var root: String
    /// The nvidia-smi program: a name (looked up in the system's program folders under `root`, never on
    /// PATH), an absolute path (under `root` when one is given), or `none` for a device without NVIDIA GPUs.
    /// Nil skips the GPU probe too.
    public var nvidiaSMI: String?
    /// How long nvidia-smi may take: a wedged driver must not hang boot.
    public var timeoutSeconds: Int = 10

    /// The `nvidiaSMI` value of a device that has no NVIDIA GPUs.
    public static let noGPUs = "none"
    /// Where a bare program name is looked for, under the probe root.
    static let programFolders = ["usr/bin", "usr/sbin", "bin", "sbin", "usr/local/bin"]

    public init(root: String = "/", nvidiaSMI: String? = "nvidia-smi") {
        self.root = root
        self.nvidiaSMI = nvidiaSMI
    }

    /// Fails closed: a probe root that is not a directory, or an nvidia-smi that is missing, not executable,
    /// failing or silent past the timeout, is an environment failure, never a device with no GPUs.
    public func probe() throws(AttestError) -> Report {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw AttestError(.environment, "device probe failed: the probe root is not a directory", at: root)
        }
        return Report(gpus: try probeGPUs(), host: probeHost())
    }

    func probeGPUs() throws(AttestError) -> [GPU] {
        guard let name = nvidiaSMI, name != Self.noGPUs else { return [] }
        let path = try Self.resolve(name, under: root)
        let output = try Subprocess.run(path, ["--query-gpu=index,uuid,serial,name", "--format=csv,noheader"], timeoutSeconds: timeoutSeconds)
        guard output.status == 0 else {
            throw AttestError(.environment, "device probe failed: \(path) exited with status \(output.status)")
        }
        return try Self.parseNvidiaSMI(String(decoding: output.stdout, as: UTF8.self), source: path)
    }

    /// The absolute path of the program `name` for a probe of `root`; PATH plays no part.
    static func resolve(_ name: String, under root: String) throws(AttestError) -> String {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let candidates: [String]
        if !name.contains("/") {
            candidates = programFolders.map { "\(base)/\($0)/\(name)" }
        } else if name.hasPrefix("/") {
            // An absolute path names a file of the probed tree: under the root, unless it already is.
            candidates = [base.isEmpty || name.hasPrefix(base + "/") ? name : base + name]
        } else {
            throw AttestError(.environment, "device probe failed: nvidia-smi must be a program name or an absolute path, not \(JSONText.quotedForMessage(name))")
        }
        for candidate in candidates where isExecutableFile(candidate) { return candidate }
        let where_ = candidates.count == 1 ? candidates[0] : "\(base.isEmpty ? "/" : base) (\(programFolders.map { "/" + $0 }.joined(separator: ", ")))"
        throw AttestError(.environment, "device probe failed: no executable nvidia-smi at \(where_); a device without NVIDIA GPUs is provisioned with --nvidia-smi none")
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// Parses `index, uuid, serial, name` lines as nvidia-smi prints them.
    static func parseNvidiaSMI(_ text: String, source: String) throws(AttestError) -> [GPU] {
        var gpus: [GPU] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let fields = line.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            guard fields.count == 4, let index = Int(fields[0]), fields[1].hasPrefix("GPU-"),
                  DocumentFields.isSerial(fields[2]), !fields[3].isEmpty else {
                throw AttestError(.environment, "device probe failed: \(source) line \(n + 1) is not 'index, uuid, serial, name': \(line)")
            }
            let name = fields[3]
            let model = name.hasPrefix("NVIDIA ") ? String(name.dropFirst(7)) : name
            gpus.append(GPU(index: index, uuid: fields[1], chip: Manifest.Chip(vendor: "nvidia", model: model, serial: fields[2])))
        }
        return gpus
    }

    func probeHost() -> Host {
        Host(dmiProductSerial: readValue("sys/class/dmi/id/product_serial"),
             dmiProductName: readValue("sys/class/dmi/id/product_name"),
             dmiBoardName: readValue("sys/class/dmi/id/board_name"),
             deviceTreeSerial: readValue("proc/device-tree/serial-number"),
             deviceTreeModel: readValue("proc/device-tree/model"),
             dmiVendor: readValue("sys/class/dmi/id/sys_vendor"))
    }

    /// A small text file's value without trailing NULs, newlines or spaces; nil when absent or empty.
    func readValue(_ relative: String) -> String? {
        let base = root.hasSuffix("/") ? root : root + "/"
        guard let bytes = try? AtomicFile.read(base + relative, limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces(extra: ["\0", "\n", "\r"])
        return text.isEmpty ? nil : text
    }

    /// A chip from a free-text model: the vendor is the hint's or the model's first word, lowercased,
    /// and is not repeated in the model ("NVIDIA Jetson AGX Orin" → nvidia, "Jetson AGX Orin").
    static func chip(vendorHint: String?, model: String, serial: String) -> Manifest.Chip {
        let words = model.split(separator: " ")
        let source = vendorHint?.split(separator: " ").first.map(String.init) ?? words.first.map(String.init) ?? "unknown"
        let vendor = DocumentFields.isSlug(source.lowercased()) ? source.lowercased() : "unknown"
        let trimmed = words.first.map { $0.lowercased() == vendor } == true && words.count > 1 ? words.dropFirst().joined(separator: " ") : model
        return Manifest.Chip(vendor: vendor, model: trimmed, serial: serial)
    }

    public static func json(_ report: Report, region: String?) -> JSONValue {
        var host = JSONObject()
        let h = report.host
        for (key, value) in [("dmiProductSerial", h.dmiProductSerial), ("dmiProductName", h.dmiProductName),
                             ("dmiBoardName", h.dmiBoardName), ("deviceTreeSerial", h.deviceTreeSerial),
                             ("deviceTreeModel", h.deviceTreeModel), ("dmiVendor", h.dmiVendor)] {
            if let value { _ = host.updateValue(.string(value), forKey: key) }
        }
        return [
            "region": region.map { .string($0) } ?? .null,
            "chips": .array(report.chips.map { ["vendor": .string($0.vendor), "model": .string($0.model), "serial": .string($0.serial)] }),
            "gpus": .array(report.gpus.map { ["index": .number(JSONNumber(Int64($0.index))), "uuid": .string($0.uuid), "serial": .string($0.chip.serial), "model": .string($0.chip.model)] }),
            "host": .object(host),
        ]
    }
}

extension StringProtocol {
    func trimmingSpaces(extra: Set<Character> = []) -> String {
        let drop: (Character) -> Bool = { $0 == " " || $0 == "\t" || extra.contains($0) }
        var s = Substring(self)
        while let f = s.first, drop(f) { s = s.dropFirst() }
        while let l = s.last, drop(l) { s = s.dropLast() }
        return String(s)
    }
}
