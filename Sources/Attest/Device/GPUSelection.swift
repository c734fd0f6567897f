/// Which GPUs a job will use, from CUDA_VISIBLE_DEVICES or NVIDIA_VISIBLE_DEVICES: indexes, `GPU-…`
/// UUIDs (or unique prefixes of them), `all`, or `none`/`void`. Unset means all.
public enum GPUSelection {
    public static func select(_ gpus: [HardwareProbe.GPU], cuda: String?, nvidia: String?) throws(AttestError) -> [HardwareProbe.GPU] {
        // CUDA_VISIBLE_DEVICES narrows what a process sees inside what the container runtime exposed.
        let spec = cuda ?? nvidia
        guard let spec else { return gpus }
        let trimmed = spec.trimmingSpaces()
        if trimmed == "all" { return gpus }
        if trimmed.isEmpty || trimmed == "none" || trimmed == "void" || trimmed == "-1" { return [] }
        var chosen: [HardwareProbe.GPU] = []
        for item in trimmed.split(separator: ",").map({ $0.trimmingSpaces() }) {
            let match: HardwareProbe.GPU?
            if let index = Int(item) {
                match = gpus.first { $0.index == index }
            } else {
                let candidates = gpus.filter { $0.uuid == item || $0.uuid.hasPrefix(item) }
                match = candidates.count == 1 ? candidates[0] : nil
            }
            guard let match else {
                throw AttestError(.usage, "\(cuda != nil ? "CUDA_VISIBLE_DEVICES" : "NVIDIA_VISIBLE_DEVICES") names \(item), which is not a GPU on this device")
            }
            if !chosen.contains(match) { chosen.append(match) }
        }
        return chosen
    }
}
