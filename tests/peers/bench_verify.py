#!/usr/bin/env python3
"""The peers' side of `cargo xtask bench verify`: offline validation in one process, timed from
after the imports, three rounds, each peer's valid count reported so the run can check it.

  bench_verify.py pyhanko --root ROOT.pem --rounds N FILE...
      pyHanko's validate_pdf_signature on each PDF's first signature, with the revocation data
      embedded in the file (the DSS) and no fetching (hard-fail: revocation must be proven).
  bench_verify.py digidoc --tsl T --tslcert C --rounds N FILE...
      libdigidocpp 4.3 (pydigidoc): open each container and validate each signature, with the
      generated trusted list (digidoc.py's offline set-up).

Prints one JSON document: {"seconds": [per round], "valid": n, "signatures": n}.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pyhanko(args):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    root = load_cert_from_pemder(args.root)
    rounds, valid, signatures = [], 0, 0
    for _ in range(args.rounds):
        valid, signatures = 0, 0
        start = time.perf_counter()
        for path in args.files:
            with open(path, "rb") as f:
                reader = PdfFileReader(f)
                dss = DocumentSecurityStore.read_dss(reader)
                context = dss.as_validation_context(
                    {
                        "trust_roots": [root],
                        "allow_fetching": False,
                        "revocation_mode": "hard-fail",
                    }
                )
                for sig in reader.embedded_signatures:
                    signatures += 1
                    status = validate_pdf_signature(sig, context)
                    valid += bool(status.bottom_line)
        rounds.append(time.perf_counter() - start)
    return {"seconds": rounds, "valid": valid, "signatures": signatures}


def digidoc_peer(args):
    import fcntl

    import digidoc

    args.tsa = None
    with open(digidoc.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digidoc.user_conf("http://127.0.0.1:9/ts")
        with tempfile.TemporaryDirectory(prefix="signet-bench-") as cache:
            d = digidoc.start(args, cache)
            rounds, valid, signatures = [], 0, 0
            for _ in range(args.rounds):
                valid, signatures = 0, 0
                start = time.perf_counter()
                for path in args.files:
                    c = d.Container.open(path)
                    for sig in c.signatures():
                        signatures += 1
                        status, _ = digidoc.classify(d, sig)
                        valid += status == "Valid"
                    del c
                rounds.append(time.perf_counter() - start)
    return {"seconds": rounds, "valid": valid, "signatures": signatures}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("peer", choices=["pyhanko", "digidoc"])
    p.add_argument("--root")
    p.add_argument("--tsl")
    p.add_argument("--tslcert")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    result = pyhanko(args) if args.peer == "pyhanko" else digidoc_peer(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
