#!/usr/bin/env python3
"""The pydigidoc (libdigidocpp 4.3) side of `cargo xtask bench asice`, same machine, same run.

  bench_digidoc.py --tsl T --tslcert C --p12 P --password W --small N --big FILE --work DIR

Prints one JSON document: containers per second for N one-file B-B (profile BES) containers,
and MB/s for one container holding FILE (B-B).
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digidoc  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tsl", required=True)
    p.add_argument("--tslcert", required=True)
    p.add_argument("--p12", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--small", type=int, default=100)
    p.add_argument("--big", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    args.tsa = None
    with open(digidoc.LOCK, "w") as lock:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        digidoc.user_conf("http://127.0.0.1:9/ts")
        with tempfile.TemporaryDirectory(prefix="signet-bench-") as cache:
            d = digidoc.start(args, cache)
            small = os.path.join(args.work, "small.txt")
            with open(small, "wb") as f:
                f.write(b"x" * 220)
            signer = d.PKCS12Signer(args.p12, args.password)
            signer.set_profile("BES")
            signer.set_enprofile(True)
            start = time.perf_counter()
            for i in range(args.small):
                c = d.Container.create(os.path.join(args.work, f"py-small-{i}.asice"))
                c.add_data_file(small, "text/plain")
                c.sign(signer)
                c.save()
                del c
            small_s = time.perf_counter() - start
            size = os.path.getsize(args.big)
            start = time.perf_counter()
            c = d.Container.create(os.path.join(args.work, "py-big.asice"))
            c.add_data_file(args.big, "application/octet-stream")
            c.sign(signer)
            c.save()
            del c
            big_s = time.perf_counter() - start
    json.dump(
        {
            "small_containers_per_s": args.small / small_s,
            "big_mb_per_s": size / 1e6 / big_s,
            "small_seconds": small_s,
            "big_seconds": big_s,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
