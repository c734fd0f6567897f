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
    /// The nvidia-smi program: a name looked up on PATH, or a path. Nil skips the GPU probe.
    public var nvidiaSMI: String?

    public init(root: String = "/", nvidiaSMI: String? = "nvidia-smi") {
        self.root = root
        self.nvidiaSMI = nvidiaSMI
    }

    public func probe() throws(AttestError) -> Report {
        Report(gpus: try probeGPUs(), host: probeHost())
    }

    func probeGPUs() throws(AttestError) -> [GPU] {
        guard let name = nvidiaSMI else { return [] }
        // A host without the NVIDIA driver simply has no GPUs to report.
        guard let path = Subprocess.locate(name) else { return [] }
        let output = try Subprocess.run(path, ["--query-gpu=index,uuid,serial,name", "--format=csv,noheader"])
        guard output.status == 0 else {
            throw AttestError(.environment, "device probe failed: \(path) exited with status \(output.status)")
        }
        return try Self.parseNvidiaSMI(String(decoding: output.stdout, as: UTF8.self), source: path)
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
