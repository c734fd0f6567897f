#!/usr/bin/env python3
"""Builds a complete attest trust chain independently of attest, from the formats in DESIGN.md.

  build_chain.py OUTDIR [--delegation-key rsa|ed25519]

Uses only `cryptography` and `rfc8785` (no attest code, no securesystemslib), so that a document attest
accepts here is one any implementation of DESIGN.md could have written. Writes into OUTDIR:

  root.json            root (version 1, threshold 2, an Ed25519 and an ECDSA P-256 key), signed by both
  delegation.json      delegation "acme-integration" (threshold 1, one RSA-3072-PSS or Ed25519 key), signed by the root keys
  manifest.json        manifest issued by acme-integration, signed by the delegation key
  model.bin            a model file whose digest the manifest pins for public-safety
  other-model.bin      a model file the manifest does not pin
  device.json          facts of a device the manifest covers (region MX-NLE, the two manifest chips)
  device-wrong-serial.json   the same device with a third chip the manifest does not name
  device-wrong-region.json   the same chips in region BR
  chain.json           what was built (keyids, manifest id and digest, times), for tests and humans
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
import uuid

import rfc8785
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

ROOT_TYPE = "application/vnd.attest.root+json"
DELEGATION_TYPE = "application/vnd.attest.delegation+json"
MANIFEST_TYPE = "application/vnd.attest.manifest+json"


# ---- keys -----------------------------------------------------------------------------------------------

class Key:
    """A private key with its DESIGN.md key dict, keyid and DSSE signing function."""

    def __init__(self, private):
        self.private = private
        self.public = private.public_key()

    def spki_der(self):
        return self.public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def spki_pem(self):
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    @property
    def keyid(self):
        # keyid: lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo (for every key type).
        return hashlib.sha256(self.spki_der()).hexdigest()

    def key_dict(self):
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}}
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            scheme = {"secp256r1": "ecdsa-sha2-nistp256", "secp384r1": "ecdsa-sha2-nistp384"}[self.private.curve.name]
            return {"keytype": "ecdsa", "scheme": scheme, "keyval": {"public": self.spki_pem()}}
        if isinstance(self.private, rsa.RSAPrivateKey):
            return {"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": self.spki_pem()}}
        raise TypeError(type(self.private))

    def sign(self, message):
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(message)  # raw 64 bytes
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            digest = {"secp256r1": hashes.SHA256(), "secp384r1": hashes.SHA384()}[self.private.curve.name]
            return self.private.sign(message, ec.ECDSA(digest))  # DER
        if isinstance(self.private, rsa.RSAPrivateKey):
            return self.private.sign(
                message,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
        raise TypeError(type(self.private))

    def write(self, outdir, name):
        pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path = os.path.join(outdir, name + ".key")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        with open(os.path.join(outdir, name + ".pub"), "w") as f:
            f.write(self.spki_pem())


def keys_map(*keys):
    return {k.keyid: k.key_dict() for k in keys}


# ---- DSSE -----------------------------------------------------------------------------------------------

def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 " + str(len(t)).encode() + b" " + t + b" " + str(len(body)).encode() + b" " + body


def envelope(payload_type, document, signers):
    body = rfc8785.dumps(document)
    message = pae(payload_type, body)
    return {
        "payload": base64.b64encode(body).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [{"keyid": k.keyid, "sig": base64.b64encode(k.sign(message)).decode("ascii")} for k in signers],
    }, body


def write_json(outdir, name, value):
    with open(os.path.join(outdir, name), "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the chain ------------------------------------------------------------------------------------------

def build(outdir, delegation_key_type):
    os.makedirs(outdir, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    root_ed = Key(ed25519.Ed25519PrivateKey.generate())
    root_ec = Key(ec.generate_private_key(ec.SECP256R1()))
    if delegation_key_type == "rsa":
        delegate = Key(rsa.generate_private_key(public_exponent=65537, key_size=3072))
    else:
        delegate = Key(ed25519.Ed25519PrivateKey.generate())
    root_ed.write(outdir, "root-ed25519")
    root_ec.write(outdir, "root-ecdsa-p256")
    delegate.write(outdir, "delegation-" + delegation_key_type)

    root = {
        "version": 1,
        "expires": rfc3339(now + datetime.timedelta(days=365)),
        "threshold": 2,
        "keys": keys_map(root_ed, root_ec),
        "policy": {"deniedRegions": ["KP", "IR"], "clockSkewSeconds": 300, "maxManifestDays": 400},
    }
    root_env, _ = envelope(ROOT_TYPE, root, [root_ed, root_ec])
    write_json(outdir, "root.json", root_env)

    delegation = {
        "name": "acme-integration",
        "version": 1,
        "expires": rfc3339(now + datetime.timedelta(days=180)),
        "threshold": 1,
        "keys": keys_map(delegate),
        "scope": {
            "regions": ["MX", "BR"],
            "workloads": ["industrial-inspection", "public-safety"],
            "chipVendors": ["nvidia"],
            "maxManifestDays": 90,
        },
    }
    delegation_env, _ = envelope(DELEGATION_TYPE, delegation, [root_ed, root_ec])
    write_json(outdir, "delegation.json", delegation_env)

    model = b"interop model weights\x00\x01\x02" + os.urandom(64)
    with open(os.path.join(outdir, "model.bin"), "wb") as f:
        f.write(model)
    with open(os.path.join(outdir, "other-model.bin"), "wb") as f:
        f.write(b"a model nobody pinned\n" + os.urandom(64))
    model_digest = "sha256:" + hashlib.sha256(model).hexdigest()

    chips = [
        {"vendor": "nvidia", "model": "H200", "serial": "1652922001234"},
        {"vendor": "nvidia", "model": "H200", "serial": "1652922005678"},
    ]
    issued = now - datetime.timedelta(hours=1)
    manifest = {
        "id": str(uuid.uuid4()),
        "issuer": "acme-integration",
        "sequence": 3,
        "issuedAt": rfc3339(issued),
        "notBefore": rfc3339(issued),
        "notAfter": rfc3339(issued + datetime.timedelta(days=30)),
        "chips": chips,
        "region": "MX",
        "workloads": [
            {"class": "industrial-inspection", "models": []},
            {"class": "public-safety", "models": [model_digest]},
        ],
    }
    manifest_env, manifest_body = envelope(MANIFEST_TYPE, manifest, [delegate])
    write_json(outdir, "manifest.json", manifest_env)

    write_json(outdir, "device.json", {"region": "MX-NLE", "chips": chips})
    write_json(outdir, "device-wrong-serial.json", {
        "region": "MX-NLE",
        "chips": chips + [{"vendor": "nvidia", "model": "H200", "serial": "1652922009999"}],
    })
    write_json(outdir, "device-wrong-region.json", {"region": "BR", "chips": chips})

    write_json(outdir, "chain.json", {
        "now": rfc3339(now),
        "rootKeys": [root_ed.keyid, root_ec.keyid],
        "delegationKey": {"type": delegation_key_type, "keyid": delegate.keyid},
        "manifest": {
            "id": manifest["id"],
            "digest": "sha256:" + hashlib.sha256(manifest_body).hexdigest(),
            "issuer": manifest["issuer"],
        },
        "modelDigest": model_digest,
    })


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--delegation-key", choices=["rsa", "ed25519"], default="rsa")
    args = parser.parse_args(argv)
    build(args.outdir, args.delegation_key)
    print(json.dumps({"outdir": args.outdir, "delegationKey": args.delegation_key}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
