/// Which GPUs a job will use: what CUDA will expose to it. That is every GPU the probe sees unless
/// CUDA_VISIBLE_DEVICES narrows them: indexes (in the probe's PCI bus order) or `GPU-…` UUIDs (or unique
/// prefixes of them); an empty value hides them all. NVIDIA_VISIBLE_DEVICES is read only by the container
/// runtime (inside a container, the probe already sees just those GPUs), so a native job with only it set
/// sees every GPU, and every GPU is gated. Unlike CUDA, which stops quietly at an entry it cannot read, an
/// entry that names no GPU of this device is an error.
public enum GPUSelection {
    public static func select(_ gpus: [HardwareProbe.GPU], cuda: String?) throws(AttestError) -> [HardwareProbe.GPU] {
        guard let spec = cuda else { return gpus }
        let trimmed = spec.trimmingSpaces()
        if trimmed.isEmpty { return [] }
        var chosen: [HardwareProbe.GPU] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingSpaces() }) {
            let match: HardwareProbe.GPU?
            if let index = Int(item), index >= 0 {
                match = gpus.first { $0.index == index }
            } else if item.hasPrefix("GPU-") || item.hasPrefix("MIG-") {
                let candidates = gpus.filter { $0.uuid == item || $0.uuid.hasPrefix(item) }
                match = candidates.count == 1 ? candidates[0] : nil
            } else {
                match = nil
            }
            guard let match else {
                throw AttestError(.usage, "CUDA_VISIBLE_DEVICES names \(JSONText.quotedForMessage(item)), which is not a GPU on this device")
            }
            if !chosen.contains(match) { chosen.append(match) }
        }
        return chosen
    }
}
