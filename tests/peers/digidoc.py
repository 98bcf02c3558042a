#!/usr/bin/env python3
"""libdigidocpp 4.3 (the pydigidoc 0.0.4 wheel) as the reference peer for Signet's ASiC-E tests.

Offline, as ../shared/reference/asice.md section 7 explains:

* trust comes only from a signed trusted list: it is copied into a per-run cache directory
  (together with the wheel's XSD schemas) and pinned with its signer's certificate;
* the configuration object is installed (``Conf.init``) *before* ``initialize``;
* settings that only the user file can carry (``tsl.autoupdate``, ``tsl.onlineDigest``,
  ``ts.url``) go into ``~/.digidocpp/digidocpp.conf`` where ``~`` is the home directory of the
  user database entry (``getpwuid``), not ``$HOME``. The file is written atomically, only when its
  content changes, only when it is absent or was written by this script (a marker comment), and
  under an exclusive lock so concurrent test runs take turns.

Commands (one JSON document on standard output):

  validate --tsl T --tslcert C FILE...      -> {"FILE": {"open_error": str} | {"signatures": [...]}}
  sign --tsl T --tslcert C --tsa URL --p12 P --password W --profile PROFILE OUT FILE...
  add  --tsl T --tslcert C --tsa URL --p12 P --password W --profile PROFILE CONTAINER OUT
"""

import argparse
import fcntl
import glob
import json
import os
import pwd
import shutil
import sys
import tempfile

MARK = "<!-- written by Signet's tests (tests/peers/digidoc.py); safe to delete -->"
LOCK = "/tmp/signet-digidocpp.lock"
TSL_URL = "http://127.0.0.1:9/signet-test-tsl.xml"


def user_conf(ts_url):
    home = pwd.getpwuid(os.getuid()).pw_dir
    folder = os.path.join(home, ".digidocpp")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "digidocpp.conf")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{MARK}\n"
        "<configuration>\n"
        '  <param name="tsl.autoupdate" lock="false">false</param>\n'
        '  <param name="tsl.onlineDigest" lock="false">false</param>\n'
        f'  <param name="ts.url" lock="false">{ts_url}</param>\n'
        '  <param name="verify.serivceUri" lock="false">http://127.0.0.1:9/</param>\n'
        "</configuration>\n"
    )
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            old = f.read()
        if MARK not in old:
            sys.exit(
                f"{path} exists and was not written by Signet's tests: move it away to run them"
            )
        if old == content:
            return
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".digidocpp.conf.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def start(args, cache):
    import pydigidoc as d

    schema = os.path.join(os.path.dirname(d.__file__), "schema")
    for xsd in glob.glob(os.path.join(schema, "*")):
        shutil.copy(xsd, cache)
    shutil.copy(args.tsl, os.path.join(cache, os.path.basename(TSL_URL)))
    conf = d.DigiDocConf(cache)
    conf.set_tslurl(TSL_URL)
    with open(args.tslcert, "rb") as f:
        conf.set_tslcert(f.read())
    if getattr(args, "tsa", None):
        conf.set_tsurl(args.tsa)
    d.Conf.init(conf.transfer())
    d.initialize("SignetTests")
    return d


def classify(d, sig):
    """The status the way src/Signature.cpp derives it (asice.md 7.1)."""
    try:
        sig.validate()
        return "Valid", []
    except RuntimeError as e:
        messages = [m for m in str(e).splitlines() if m.strip()]
    text = "\n".join(messages)
    warnings = ("over 15m off", "MimeType", "mime type", "weak", "namespace")
    unknown = (
        "Certificate status: unknown",
        "unable to get local issuer certificate",
        "does not meet Qualification requirements",
        "OCSP",
        "Could not find certificate issuer",
    )
    if any(w in text for w in unknown) and not any(
        x in text for x in ("Failed to validate", "greater than OCSP", "Invalid")
    ):
        try:
            sig.validate("POLv1")
            return "NonQSCD", messages
        except RuntimeError as e2:
            more = [m for m in str(e2).splitlines() if m.strip()]
            if any(w in m for m in more for w in unknown):
                return "Unknown", messages
            return "Invalid", messages
    relevant = [m for m in messages if m not in ("Signature validation", "Failed to validate signature")]
    if relevant and all(any(w in m for w in warnings) for m in relevant):
        return "Warning", messages
    return "Invalid", messages


def validate(args, d):
    out = {}
    for path in args.files:
        try:
            c = d.Container.open(path)
        except Exception as e:  # libdigidocpp refuses to open
            out[path] = {"open_error": str(e)}
            continue
        if c is None:
            out[path] = {"open_error": "Container.open returned nothing"}
            continue
        sigs = []
        for sig in c.signatures():
            status, messages = classify(d, sig)
            sigs.append({
                "id": sig.id(),
                "profile": sig.profile(),
                "status": status,
                "messages": messages,
            })
        out[path] = {"signatures": sigs, "files": [f.file_name() for f in c.data_files()]}
    return out


def signer(args, d):
    s = d.PKCS12Signer(args.p12, args.password)
    s.set_profile(args.profile)
    s.set_enprofile(True)
    return s


def sign(args, d):
    c = d.Container.create(args.out)
    for path in args.files:
        c.add_data_file(path, args.mime)
    c.sign(signer(args, d))
    c.save()
    return {"written": args.out}


def add(args, d):
    shutil.copy(args.container, args.out)
    c = d.Container.open(args.out)
    c.sign(signer(args, d))
    c.save()
    return {"written": args.out}


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("validate", "sign", "add"):
        q = sub.add_parser(name)
        q.add_argument("--tsl", required=True)
        q.add_argument("--tslcert", required=True)
        if name != "validate":
            q.add_argument("--tsa", required=True)
            q.add_argument("--p12", required=True)
            q.add_argument("--password", required=True)
            q.add_argument("--profile", default="time-stamp")
            q.add_argument("--mime", default="text/plain")
        if name == "validate":
            q.add_argument("files", nargs="+")
        elif name == "sign":
            q.add_argument("out")
            q.add_argument("files", nargs="+")
        else:
            q.add_argument("container")
            q.add_argument("out")
    args = p.parse_args()
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        user_conf(getattr(args, "tsa", None) or "http://127.0.0.1:9/ts")
        with tempfile.TemporaryDirectory(prefix="signet-digidocpp-") as cache:
            d = start(args, cache)
            result = {"validate": validate, "sign": sign, "add": add}[args.command](args, d)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
