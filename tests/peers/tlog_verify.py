#!/usr/bin/env python3
"""An independent verifier of a Signet node's usage log, written from the specifications only.

It shares no code with signet-data: SHA-256 from hashlib, Ed25519 from `cryptography`, and the
algorithms as the specifications state them:

- C2SP signed-note (https://c2sp.org/signed-note): the note text is everything up to and
  including the newline before the blank line; each signature line is
  "\u2014 <key name> <base64(4-byte key ID || signature)>\n"; the Ed25519 key ID is the first four
  bytes of SHA-256(name || 0x0A || 0x01 || public key); the verifier key text is
  "<name>+<8 hex digits key ID>+<base64(0x01 || public key)>"; signatures from other keys are
  ignored.
- C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): origin line, tree size in decimal
  (no leading zeros), standard base64 of the root hash, then optional extension lines.
- RFC 9162 section 2.1: leaf hash SHA-256(0x00 || d), node hash SHA-256(0x01 || l || r),
  inclusion-proof verification (2.1.3.2) and consistency-proof verification (2.1.4.2).
- The leaf data d of a Signet usage entry (docs/data-node.md, "Leaf bytes"):
  d = SHA-256(JCS(entry) || salt), JCS = RFC 8785 canonical JSON of the entry object as served.

Usage: tlog_verify.py INPUT.json, where INPUT is
  {"logKey": "<verifier key text>", "origin": "<origin>" (optional; default the key name),
   "checkpoint": "<signed note>",
   "entries": [{"index", "entry", "salt" (base64), "proof": [base64], "checkpoint"?}],
   "earlier": {"checkpoint": "<signed note>", "consistency": [base64]} (optional)}
An entry is checked against its own "checkpoint" when it has one, else against "checkpoint".
Or, to check Signet's tree code over many sizes: {"leaves": [base64 leaf data],
  "roots": {"<size>": base64}, "inclusion": [{"index", "size", "proof"}],
  "consistency": [{"first", "second", "proof"}]}; roots are recomputed from the leaves (RFC 9162
  section 2.1.1) and must match.
Prints one JSON document; exit status 0 when everything verifies, 1 when anything fails, 2 on
unusable input.
"""

import base64
import binascii
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Failure(Exception):
    """A verification failure."""


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def b64(text, what):
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise Failure(f"{what} is not standard base64: {e}") from None


# --- C2SP signed-note -------------------------------------------------------------------------


def valid_key_name(name):
    return name != "" and "+" not in name and not any(c.isspace() for c in name)


def parse_vkey(text):
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise Failure("the verifier key is not <name>+<hex key ID>+<base64 key>")
    name, hex_id, key_b64 = parts
    if not valid_key_name(name):
        raise Failure(f"the verifier key name {name!r} is not a valid key name")
    if len(hex_id) != 8:
        raise Failure("the verifier key ID is not 8 hexadecimal digits")
    try:
        key_id = bytes.fromhex(hex_id)
    except ValueError:
        raise Failure("the verifier key ID is not hexadecimal") from None
    raw = b64(key_b64, "the verifier key")
    if len(raw) != 33 or raw[0] != 0x01:
        raise Failure("the verifier key is not an Ed25519 key (0x01 followed by 32 bytes)")
    public = raw[1:]
    expected_id = sha256(name.encode("utf-8"), b"\x0a\x01", public)[:4]
    if key_id != expected_id:
        raise Failure("the verifier key ID does not match SHA-256(name || 0x0A || 0x01 || key)")
    return name, key_id, Ed25519PublicKey.from_public_bytes(public)


def verify_note(note, vkey):
    """Returns the verified note text (str, final newline included)."""
    name, key_id, public = vkey
    try:
        data = note.encode("utf-8")
    except UnicodeEncodeError:
        raise Failure("the note is not UTF-8") from None
    split = data.find(b"\n\n")
    if split < 0:
        raise Failure("the note has no blank line before its signatures")
    text, block = data[: split + 1], data[split + 2 :]
    if text.startswith(b"\n"):
        raise Failure("the note text is empty")
    if any(b < 0x20 and b != 0x0A for b in text):
        raise Failure("the note text has a control character other than newline")
    if not block.endswith(b"\n"):
        raise Failure("the signature block does not end in a newline")
    found = False
    for line in block[:-1].split(b"\n"):
        prefix = "\u2014 ".encode("utf-8")
        if not line.startswith(prefix):
            raise Failure("a signature line does not start with an em dash and a space")
        fields = line[len(prefix) :].decode("utf-8").split(" ")
        if len(fields) != 2:
            raise Failure("a signature line is not '<name> <signature>'")
        sig_name, sig_b64 = fields
        raw = b64(sig_b64, "a signature")
        if len(raw) < 5:
            raise Failure("a signature is shorter than its key ID")
        if sig_name != name or raw[:4] != key_id:
            continue  # another key's signature: ignored, as the spec says
        found = True
        try:
            public.verify(raw[4:], text)
            return text.decode("utf-8")
        except InvalidSignature:
            continue
    if found:
        raise Failure(f"the signature of {name} ({key_id.hex()}) does not verify")
    raise Failure(f"the note carries no signature of {name} ({key_id.hex()})")


# --- C2SP tlog-checkpoint ---------------------------------------------------------------------


def parse_checkpoint(text, origin):
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise Failure("a checkpoint has an origin, a size and a root hash line")
    if lines[0] != origin:
        raise Failure(f"the checkpoint is for the log {lines[0]!r}, not {origin!r}")
    size = lines[1]
    if not (size.isascii() and size.isdigit()) or (size != "0" and size.startswith("0")):
        raise Failure(f"the checkpoint size {size!r} is not a decimal number")
    root = b64(lines[2], "the checkpoint root hash")
    if len(root) != 32:
        raise Failure("the checkpoint root hash is not 32 bytes")
    if any(line == "" for line in lines[3:]):
        raise Failure("the checkpoint has an empty extension line")
    return int(size), root


# --- RFC 9162 ---------------------------------------------------------------------------------


def leaf_hash(data):
    return sha256(b"\x00", data)


def node_hash(left, right):
    return sha256(b"\x01", left, right)


def verify_inclusion(leaf, index, size, path, root):
    """RFC 9162 section 2.1.3.2, step by step."""
    if index >= size:
        raise Failure(f"leaf index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failure("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failure("the inclusion proof is too short")
    if r != root:
        raise Failure("the inclusion proof leads to a different root hash")


def verify_consistency(first, second, path, first_hash, second_hash):
    """RFC 9162 section 2.1.4.2, step by step."""
    if first == 0:
        raise Failure("a consistency proof from the empty tree proves nothing")
    if first > second:
        raise Failure(f"the earlier size {first} is larger than the later size {second}")
    if first == second:
        # Not covered by the RFC's algorithm: equal sizes need no proof and equal roots.
        if path or first_hash != second_hash:
            raise Failure("two different roots (or a proof) for the same size")
        return
    if not path:
        raise Failure("the consistency proof is empty")
    if first & (first - 1) == 0:
        path = [first_hash] + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failure("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failure("the consistency proof is too short")
    if fr != first_hash:
        raise Failure("the consistency proof does not lead to the earlier root hash")
    if sr != second_hash:
        raise Failure("the consistency proof does not lead to the later root hash")


# --- Signet's leaf bytes: RFC 8785 canonical JSON ----------------------------------------------


def jcs_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20:
            out.append(f"\\u{o:04x}")
        elif 0xD800 <= o <= 0xDFFF:
            raise Failure("a string holds a lone surrogate, which has no canonical form")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def utf16_key(s):
    return s.encode("utf-16-be")


def jcs(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise Failure(f"the integer {value} is outside the I-JSON range")
        return str(value)
    if isinstance(value, float):
        raise Failure("the entry holds a non-integer number; Signet commits to integers only")
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=utf16_key)
        return "{" + ",".join(jcs_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise Failure(f"unexpected JSON value {value!r}")


def entry_leaf(entry, salt):
    if len(salt) != 32:
        raise Failure("a salt is not 32 bytes")
    return leaf_hash(sha256(jcs(entry).encode("utf-8"), salt))


# --- test vectors: Signet's trees against the RFC's definition -------------------------------


def mth(leaves):
    """RFC 9162 section 2.1.1: the Merkle Tree Hash of a list of leaf data, recursively."""
    n = len(leaves)
    if n == 0:
        return sha256()
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def run_vectors(doc):
    """Checks roots, inclusion and consistency proofs of every size against the leaf data alone."""
    leaves = [b64(d, f"leaf data {i}") for i, d in enumerate(doc["leaves"])]
    roots = {}
    for size_text, root in doc["roots"].items():
        size = int(size_text)
        roots[size] = mth(leaves[:size])
        if roots[size] != b64(root, f"the root of size {size}"):
            raise Failure(f"the root of size {size} is not the RFC 9162 Merkle Tree Hash")
    for v in doc["inclusion"]:
        index, size = v["index"], v["size"]
        try:
            verify_inclusion(
                leaf_hash(leaves[index]), index, size, hashes(v["proof"], "proof hash"), roots[size]
            )
        except Failure as e:
            raise Failure(f"inclusion of {index} in {size}: {e}") from None
    for v in doc["consistency"]:
        first, second = v["first"], v["second"]
        try:
            verify_consistency(
                first, second, hashes(v["proof"], "consistency hash"), roots[first], roots[second]
            )
        except Failure as e:
            raise Failure(f"consistency of {first} with {second}: {e}") from None
    return {
        "verified": True,
        "roots": len(roots),
        "inclusion": len(doc["inclusion"]),
        "consistency": len(doc["consistency"]),
    }


# --- the run ----------------------------------------------------------------------------------


def hashes(items, what):
    out = []
    for i, text in enumerate(items):
        h = b64(text, f"{what} {i}")
        if len(h) != 32:
            raise Failure(f"{what} {i} is not 32 bytes")
        out.append(h)
    return out


def run(doc):
    vkey = parse_vkey(doc["logKey"])
    origin = doc.get("origin") or vkey[0]
    checkpoints = {}

    def checkpoint(note):
        if note not in checkpoints:
            checkpoints[note] = parse_checkpoint(verify_note(note, vkey), origin)
        return checkpoints[note]

    size, root = checkpoint(doc["checkpoint"])
    result = {
        "verified": False,
        "origin": origin,
        "size": size,
        "rootHash": base64.b64encode(root).decode(),
    }
    verified = []
    for item in doc.get("entries", []):
        index = item["index"]
        if not isinstance(index, int) or index < 0:
            raise Failure(f"entry index {index!r} is not a non-negative integer")
        e_size, e_root = checkpoint(item.get("checkpoint") or doc["checkpoint"])
        leaf = entry_leaf(item["entry"], b64(item["salt"], f"the salt of entry {index}"))
        try:
            verify_inclusion(
                leaf, index, e_size, hashes(item["proof"], "proof hash"), e_root
            )
        except Failure as e:
            raise Failure(f"entry {index} is not in the log at size {e_size}: {e}") from None
        verified.append(index)
    result["entries"] = verified
    earlier = doc.get("earlier")
    if earlier is not None:
        old_size, old_root = checkpoint(earlier["checkpoint"])
        try:
            verify_consistency(
                old_size,
                size,
                hashes(earlier["consistency"], "consistency hash"),
                old_root,
                root,
            )
        except Failure as e:
            raise Failure(
                f"the log at size {size} is not an extension of the log at size {old_size}: {e}"
            ) from None
        result["earlierSize"] = old_size
    result["verified"] = True
    return result


def main(argv):
    if len(argv) != 2:
        print(json.dumps({"verified": False, "error": "usage: tlog_verify.py INPUT.json"}))
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(json.dumps({"verified": False, "error": f"cannot read the input: {e}"}))
        return 2
    try:
        result = run_vectors(doc) if "leaves" in doc else run(doc)
    except Failure as e:
        print(json.dumps({"verified": False, "error": str(e)}, ensure_ascii=False))
        return 1
    except (KeyError, TypeError, AttributeError) as e:
        print(json.dumps({"verified": False, "error": f"malformed input: {e!r}"}))
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
