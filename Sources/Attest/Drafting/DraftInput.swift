import AttestCrypto

/// The short strings drafts are made from (`nvidia:H200:1652922001234`, `public-safety=sha256:…`, `MX-NLE`),
/// read into document values.
///
/// Guarantees: a value returned passes the same rule the strict document reader applies to it; anything else
/// throws `.usage` with a one-line reason that quotes the input and says what was expected.
public enum DraftInput {
    /// `vendor:model:serial`. The vendor ends at the first colon and the model at the second; the serial is the
    /// rest, so serials that contain colons still read.
    public static func chip(_ spec: String) throws(AttestError) -> Manifest.Chip {
        let parts = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw AttestError(.usage, "chip \(quoted(spec)) is not vendor:model:serial (like nvidia:H200:1652922001234)")
        }
        return try chip(vendor: String(parts[0]), model: String(parts[1]), serial: String(parts[2]))
    }

    /// A chip from its three parts, each checked.
    public static func chip(vendor: String, model: String, serial: String) throws(AttestError) -> Manifest.Chip {
        guard DocumentFields.isSlug(vendor) else {
            throw AttestError(.usage, "chip vendor \(quoted(vendor)) is not a lowercase slug (a-z, 0-9, -)")
        }
        guard !model.isEmpty, model.utf8.count <= 128, model.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw AttestError(.usage, "chip model \(quoted(model)) must be 1 to 128 printable characters")
        }
        guard DocumentFields.isSerial(serial) else {
            throw AttestError(.usage, "chip serial \(quoted(serial)) is not a serial number (letters, digits and -_.:, up to 128)")
        }
        return Manifest.Chip(vendor: vendor, model: model, serial: serial)
    }

    /// `class`, or `class=sha256:<hex>[,sha256:<hex>…]` to pin the models allowed. Hex may be in either case
    /// and is written lowercase; a digest given twice is kept once.
    public static func workload(_ spec: String) throws(AttestError) -> Manifest.Workload {
        guard let equals = spec.firstIndex(of: "=") else {
            return Manifest.Workload(workloadClass: try workloadClass(spec))
        }
        let cls = try workloadClass(String(spec[..<equals]))
        let list = spec[spec.index(after: equals)...]
        guard !list.isEmpty else {
            throw AttestError(.usage, "workload \(quoted(spec)) has no model digests after \"=\"")
        }
        var models: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let digest = try modelDigest(String(item))
            if !models.contains(digest) { models.append(digest) }
        }
        return Manifest.Workload(workloadClass: cls, models: models)
    }

    public static func workloadClass(_ text: String) throws(AttestError) -> String {
        guard DocumentFields.isSlug(text) else {
            throw AttestError(.usage, "workload class \(quoted(text)) is not a lowercase slug (a-z, 0-9, -)")
        }
        return text
    }

    /// `sha256:<64 hex>`, returned with lowercase hex.
    public static func modelDigest(_ text: String) throws(AttestError) -> String {
        let lowered = text.hasPrefix("sha256:") ? "sha256:" + text.dropFirst(7).lowercased() : text
        guard DocumentFields.isDigest(lowered) else {
            throw AttestError(.usage, "model digest \(quoted(text)) is not sha256:<64 hex digits>")
        }
        return lowered
    }

    /// `class=PATH`: a model file whose digest pins the class. The path is everything after the first `=`.
    public static func modelFile(_ spec: String) throws(AttestError) -> (workloadClass: String, path: String) {
        guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, spec.index(after: equals) != spec.endIndex else {
            throw AttestError(.usage, "model file \(quoted(spec)) is not CLASS=PATH")
        }
        return (try workloadClass(String(spec[..<equals])), String(spec[spec.index(after: equals)...]))
    }

    /// `sha256:<hex>` of a file's bytes, read in constant memory.
    public static func digest(ofFileAt path: String) throws(AttestError) -> String {
        do {
            return "sha256:" + Hex.encode(try SHA256.hash(fileAt: path))
        } catch {
            throw AttestError(error)
        }
    }

    /// An ISO 3166-1 alpha-2 country (`MX`) or ISO 3166-2 subdivision (`MX-NLE`).
    public static func region(_ text: String) throws(AttestError) -> String {
        guard Region.isValid(text) else { throw AttestError(.usage, "region \(quoted(text)) is not an ISO 3166 code") }
        return text
    }

    /// An ISO 3166-1 alpha-2 country code only (roots deny whole countries).
    public static func country(_ text: String) throws(AttestError) -> String {
        guard Region.isCountry(text) else {
            throw AttestError(.usage, "region \(quoted(text)) is not an ISO 3166-1 alpha-2 country code")
        }
        return text
    }

    /// A lowercase slug naming an issuer, a delegation or a chip vendor; `what` names it in the message.
    public static func slug(_ text: String, what: String) throws(AttestError) -> String {
        guard DocumentFields.isSlug(text) else {
            throw AttestError(.usage, "\(what) \(quoted(text)) is not a lowercase slug (a-z, 0-9, -)")
        }
        return text
    }

    /// A manifest id: a UUID in either case, returned lowercase.
    public static func manifestID(_ text: String) throws(AttestError) -> String {
        let lowered = text.lowercased()
        guard DocumentFields.isUUID(lowered) else { throw AttestError(.usage, "manifest id \(quoted(text)) is not a UUID") }
        return lowered
    }

    /// A keyid: 64 hex digits in either case, returned lowercase.
    public static func keyID(_ text: String) throws(AttestError) -> String {
        let lowered = text.lowercased()
        guard DocumentFields.isKeyID(lowered) else { throw AttestError(.usage, "keyid \(quoted(text)) is not 64 hex digits") }
        return lowered
    }

    /// Each item checked, in order, with repeats dropped (a Set, since revocation lists can be long).
    static func distinct(_ items: [String], _ check: (String) throws(AttestError) -> String) throws(AttestError) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for item in items {
            let value = try check(item)
            if seen.insert(value).inserted { out.append(value) }
        }
        return out
    }

    /// Untrusted text made safe for a one-line message.
    static func quoted(_ text: String) -> String { JSONText.quotedForMessage(text) }
}
