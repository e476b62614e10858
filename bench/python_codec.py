#!/usr/bin/env python3
"""Times Python's xmlrpc.client.loads and dumps on the documents benches/codec.rs writes.

The Rust benchmark (`cargo bench -p xmlrpc-kit --bench codec`) writes the documents to
target/bench-docs/ (or $XMLRPC_BENCH_DOCS); this script reads those very bytes. It also checks
that they are exactly what Python's dumps writes: dumps(loads(doc)) must give the document back
byte for byte.

MB/s is 10^6 bytes of the reference document per second, as in the Rust benchmark:
structs.xml for the struct document, base64_python.xml for both base64 documents.

Usage: python_codec.py [--json] [--seconds S]
"""

import argparse
import json
import os
import statistics
import sys
import time
import xmlrpc.client
from pathlib import Path


def docs_dir() -> Path:
    if "XMLRPC_BENCH_DOCS" in os.environ:
        return Path(os.environ["XMLRPC_BENCH_DOCS"])
    target = os.environ.get("CARGO_TARGET_DIR") or Path(__file__).resolve().parent.parent / "target"
    return Path(target) / "bench-docs"


def measure(fn, seconds: float, max_runs: int = 50):
    """Median seconds per call: one warm-up call, then calls until `seconds` have passed."""
    fn()
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < 3 or (time.perf_counter() < deadline and len(times) < max_runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per measurement")
    args = parser.parse_args()

    d = docs_dir()
    paths = {name: d / f"{name}.xml" for name in ("structs", "base64_python", "base64_flat")}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}: run `cargo bench -p xmlrpc-kit --bench codec` first",
              file=sys.stderr)
        return 1
    docs = {name: p.read_bytes() for name, p in paths.items()}

    results = {"python": sys.version.split()[0], "docs": {}, "bench": {}}
    for name, doc in docs.items():
        params, _ = xmlrpc.client.loads(doc)
        identical = xmlrpc.client.dumps(params, methodresponse=True).encode("utf-8") == doc
        results["docs"][name] = {"bytes": len(doc), "identical_to_python_dumps": identical}

    reference = {"structs": "structs", "base64_python": "base64_python", "base64_flat": "base64_python"}
    for name, doc in docs.items():
        ref_bytes = len(docs[reference[name]])
        params, _ = xmlrpc.client.loads(doc)
        secs, runs = measure(lambda: xmlrpc.client.loads(doc), args.seconds)
        results["bench"][f"loads/{name}"] = {"seconds": secs, "runs": runs, "mb_s": ref_bytes / secs / 1e6}
        if name == "base64_flat":
            continue  # dumps writes the same document as for base64_python
        secs, runs = measure(lambda: xmlrpc.client.dumps(params, methodresponse=True), args.seconds)
        results["bench"][f"dumps/{name}"] = {"seconds": secs, "runs": runs, "mb_s": ref_bytes / secs / 1e6}

    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"Python {results['python']}, documents in {d}")
    for name, info in results["docs"].items():
        same = "yes" if info["identical_to_python_dumps"] else "NO"
        print(f"  {name + '.xml':<22} {info['bytes']:>11,} bytes   dumps(loads(doc)) == doc: {same}")
    for name, r in results["bench"].items():
        print(f"  {name:<22} {r['mb_s']:>9.1f} MB/s   ({r['seconds'] * 1e3:.2f} ms, median of {r['runs']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
