import AttestCrypto

/// `keygen`: a new key pair written as PREFIX.key and PREFIX.pub, neither overwriting an existing file.
public enum KeyPairFiles {
    public struct Written: Sendable {
        public let keyID: String
        public let privatePath: String
        public let publicPath: String
    }

    public static func generate(_ type: KeyGenerationType, prefix: String, passphrase: [UInt8]?) throws(AttestError) -> Written {
        guard !prefix.isEmpty, prefix != "-" else { throw AttestError(.usage, "--out needs a path prefix") }
        let privatePath = prefix + ".key"
        let publicPath = prefix + ".pub"
        for path in [privatePath, publicPath] where AtomicFile.exists(path) {
            throw AttestError(.io, "already exists; refusing to overwrite it", at: path)
        }
        let key: PrivateKey
        let pem: String
        do {
            key = try PrivateKey.generate(type)
            pem = try key.pem(passphrase: passphrase)
        } catch {
            throw AttestError(error)
        }
        try AtomicFile.write(Array(key.publicKey.pem.utf8), to: publicPath, mode: 0o644, overwrite: false)
        do {
            try AtomicFile.write(Array(pem.utf8), to: privatePath, mode: 0o600, overwrite: false)
        } catch {
            // Leave no half pair behind.
            _ = try? AtomicFile.remove(publicPath)
            throw error
        }
        return Written(keyID: key.publicKey.keyID, privatePath: privatePath, publicPath: publicPath)
    }
}

/// What `key show` prints about a key.
public struct KeyDescription: Sendable {
    public let key: PublicKey
    public let dict: KeyDict?

    public init(_ key: PublicKey) throws(AttestError) {
        self.key = key
        self.dict = key.algorithm.canSign ? try KeyDict(key) : nil
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("keyid", .string(key.keyID)),
            ("type", .string(key.algorithm.name)),
        ]
        if let dict {
            members.append(("key", dict.json))
        } else {
            members.append(("publicKeyPem", .string(key.pem)))
        }
        return .object(JSONObject(uniqueMembers: members))
    }

    public var text: String {
        var out = "keyid  \(key.keyID)\ntype   \(key.algorithm.name)\n"
        if let dict {
            out += "key    " + String(decoding: CanonicalJSON.encode(dict.json), as: UTF8.self) + "\n"
        } else {
            out += key.pem
        }
        return out
    }
}

/// Keys given on the command line for checking signatures: a PEM key, a key dict, a key map, or a
/// signed root or delegation (its listed keys).
public enum KeySources {
    public static func load(_ path: String, passphrase: () throws(AttestError) -> [UInt8]) throws(AttestError) -> [PublicKey] {
        let bytes = try AtomicFile.read(path, limit: 2 << 20)
        let first = bytes.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        guard first == UInt8(ascii: "{") else {
            return [try KeyFiles.loadPublicKey(at: path, passphrase: passphrase)]
        }
        do throws(AttestError) {
            var value = try JSONParser.parse(bytes, limits: .envelope)
            if DraftSigning.looksLikeEnvelope(value) {
                let envelope = try Envelope(json: value)
                value = try JSONParser.parse(envelope.payload)
            }
            guard case .object(let object) = value else {
                throw AttestError(.invalidKey, "expected a key dict, key map, root or delegation")
            }
            if object["keytype"] != nil || object["keyid"] != nil {
                return [try KeyFiles.publicKey(json: value)]
            }
            if let keys = object["keys"] {
                return Array(try KeyDict.keyMap(keys, path: "$.keys").values)
            }
            return Array(try KeyDict.keyMap(value, path: "$").values)
        } catch {
            throw error.inFile(path)
        }
    }
}
