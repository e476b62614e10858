#!/usr/bin/env bash
# Runs the codec benchmark (criterion) and Python's xmlrpc.client on the same documents, then
# prints MB/s for every codec and our ratios against the targets of the benchmark issue.
#
#   bench/codec_report.sh                 # full run, about five minutes
#   bench/codec_report.sh decode_structs  # extra arguments go to criterion (a filter, ...)
#   CODEC_REPORT_SKIP_BENCH=1 bench/codec_report.sh   # reuse the last criterion results
#   CODEC_REPORT_NO_CALLGRIND=1 bench/codec_report.sh # skip the instruction counts
#
# MB/s is 10^6 bytes of the reference document per second (structs.xml for the struct groups,
# base64_python.xml for base64), so within a group a ratio of MB/s is a ratio of time.
# Ratios only mean something between figures of the same run: the script reads only criterion
# results written by this run (unless CODEC_REPORT_SKIP_BENCH is set). On a shared, noisy
# machine the cases of a group still run one after the other, so the script also counts the
# instructions of each struct case under callgrind: not time, but the same on every run.
# A missed target is reported, never an error: benchmarks do not fail on speed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/start"

cd "$root"
if [[ -z ${CODEC_REPORT_SKIP_BENCH:-} ]]; then
    cargo bench -p xmlrpc-kit --bench codec -- "$@" 2>&1 | tee "$work/criterion.log" >&2
    since="$work/start"
else
    since=""
fi
python3 bench/python_codec.py --json >"$work/python.json"

# Instruction counts: each case runs $iters times inside the bench binary
# (XMLRPC_BENCH_COUNT selects it) and callgrind counts only inside the measured routine.
echo '{}' >"$work/instructions.json"
if [[ -z ${CODEC_REPORT_NO_CALLGRIND:-} ]] && command -v valgrind >/dev/null; then
    exe=$(cargo bench -p xmlrpc-kit --bench codec --no-run --message-format=json 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "codec":
        print(m["executable"])')
    iters=3
    cases=${CODEC_REPORT_CASES:-"decode_structs/ours/value decode_structs/ours/typed \
        decode_structs/ours/value_stream decode_structs/ours/typed_stream \
        decode_structs/serde_xmlrpc/value decode_structs/dxr/value decode_structs/quick_xml/bare_scan \
        encode_structs/ours/value encode_structs/ours/typed encode_structs/serde_xmlrpc/value \
        encode_structs/dxr/value decode_add_call/ours/value decode_add_call/ours/typed \
        decode_add_call/serde_xmlrpc/value"}
    # CODEC_REPORT_EXE: count another build of the bench binary (a "before" commit's).
    exe=${CODEC_REPORT_EXE:-$exe}
    for case in $cases; do
        echo "callgrind: $case" >&2
        n=$(XMLRPC_BENCH_COUNT=$case XMLRPC_BENCH_ITERS=$iters valgrind --tool=callgrind \
            --collect-atstart=no '--toggle-collect=*measured*' --callgrind-out-file=/dev/null \
            "$exe" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
        echo "$case $((n / iters))"
    done | python3 -c '
import json, sys
print(json.dumps({case: int(n) for case, n in (line.split() for line in sys.stdin)}))' \
        >"$work/instructions.json"
fi

python3 - "$target/criterion" "$work/python.json" "$since" "$work/instructions.json" <<'PY'
import json
import os
import sys
from pathlib import Path

criterion_dir, python_json, since = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
since_mtime = os.path.getmtime(since) if since else 0.0
python = json.load(open(python_json))
instructions = json.load(open(sys.argv[4]))
docs = python["docs"]

# criterion: <group>/<case>/new/{benchmark,estimates}.json; median time, document bytes.
rust = {}
for bench in criterion_dir.glob("*/**/new/benchmark.json"):
    estimates = bench.with_name("estimates.json")
    if not estimates.exists() or os.path.getmtime(estimates) < since_mtime:
        continue
    meta = json.load(open(bench))
    if meta["group_id"] not in ("decode_structs", "encode_structs", "base64_decode", "base64_encode",
                                "decode_add_call"):
        continue
    ns = json.load(open(estimates))["median"]["point_estimate"]
    ((_, nbytes),) = meta["throughput"].items()
    rust[(meta["group_id"], meta["function_id"])] = (ns / 1e9, nbytes)


def mbs(group, name):
    if (group, name) not in rust:
        return None
    secs, nbytes = rust[(group, name)]
    return nbytes / secs / 1e6


py = {k: v["mb_s"] for k, v in python["bench"].items()}
PY = {  # group -> the Python figures that belong beside it
    "decode_structs": [("python/loads", py.get("loads/structs"))],
    "encode_structs": [("python/dumps", py.get("dumps/structs"))],
    "base64_decode": [("python/loads_python_doc", py.get("loads/base64_python")),
                      ("python/loads_flat_doc", py.get("loads/base64_flat"))],
    "base64_encode": [("python/dumps", py.get("dumps/base64_python"))],
}
REF = {"decode_structs": "structs", "encode_structs": "structs",
       "base64_decode": "base64_python", "base64_encode": "base64_python"}

print()
print(f"Documents (MB = 10^6 bytes of the reference document; Python {python['python']}):")
for name, info in docs.items():
    note = ("byte-identical to Python's dumps" if info["identical_to_python_dumps"]
            else "not Python's output (base64 on one line, by design)")
    print(f"  {name + '.xml':<20} {info['bytes']:>12,} bytes  {note}")

for group in PY:
    ref = docs[REF[group]]["bytes"]
    print(f"\n{group}  (MB/s of {REF[group]}.xml, {ref / 1e6:.2f} MB; median)")
    rows = [(name, mbs(group, name)) for (g, name) in rust if g == group] + PY[group]
    for name, rate in sorted(rows, key=lambda r: -(r[1] or 0)):
        if rate is None:
            print(f"  {name:<34} {'-':>10}")
        else:
            print(f"  {name:<34} {rate:>10.1f}  {ref / rate / 1e3:>9.2f} ms")


def ratio(label, num, den, target, unit="x"):
    if num is None or den is None:
        print(f"  {label:<50} {'n/a':>8}")
        return
    r = num / den
    tgt = "" if target is None else f"(target >= {target:g}{unit})"
    verdict = "" if target is None else ("  met" if r >= target else "  MISSED")
    print(f"  {label:<50} {r:>7.2f}{unit} {tgt}{verdict}")


ds, es = "decode_structs", "encode_structs"
print("\nRatios of MB/s (same run)")
ratio("decode: ours/value / serde_xmlrpc", mbs(ds, "ours/value"), mbs(ds, "serde_xmlrpc/value"), 2.0)
ratio("decode: ours/typed / serde_xmlrpc", mbs(ds, "ours/typed"), mbs(ds, "serde_xmlrpc/value"), 3.0)
ratio("decode: ours/value_stream / ours/value (slice)", mbs(ds, "ours/value_stream"), mbs(ds, "ours/value"), 0.7)
ratio("decode: ours/typed_stream / ours/typed (slice)", mbs(ds, "ours/typed_stream"), mbs(ds, "ours/typed"), 0.7)
ratio("decode: ours/value / bare quick-xml scan", mbs(ds, "ours/value"), mbs(ds, "quick_xml/bare_scan"), 0.8)
ratio("decode: ours/typed / bare quick-xml scan", mbs(ds, "ours/typed"), mbs(ds, "quick_xml/bare_scan"), 0.8)
ratio("decode: ours/value / dxr", mbs(ds, "ours/value"), mbs(ds, "dxr/value"), None)
ratio("decode: ours/value / python loads", mbs(ds, "ours/value"), py.get("loads/structs"), None)
ratio("encode: ours/value / python dumps", mbs(es, "ours/value"), py.get("dumps/structs"), 8.0)
ratio("encode: ours/typed / python dumps", mbs(es, "ours/typed"), py.get("dumps/structs"), 8.0)
ratio("encode: ours/value / serde_xmlrpc", mbs(es, "ours/value"), mbs(es, "serde_xmlrpc/value"), None)
ratio("encode: ours/value / dxr", mbs(es, "ours/value"), mbs(es, "dxr/value"), None)


def gbs(group, name):
    rate = mbs(group, name)
    return None if rate is None else rate / 1e3


print("\nBase64, 64 MiB value (GB/s of the document; the payload is 0.74 of it)")
for group, name in [("base64_decode", "ours/python_doc"), ("base64_decode", "ours/flat_doc"),
                    ("base64_decode", "ours/typed_flat_doc"), ("base64_encode", "ours/value"),
                    ("base64_encode", "ours/typed")]:
    ratio(f"{group}: {name}", gbs(group, name), 1.0, 1.0, unit=" GB/s")

if instructions:
    nbytes = docs["structs"]["bytes"]
    print("\nInstructions per structs.xml (callgrind; fewer is faster; noise-free, but not time)")
    for case, n in instructions.items():
        if case.startswith("decode_add_call"):
            print(f"  {case:<40} {n:>10,} instructions per 187-byte call")
            continue
        verdict = ""
        if case in ("decode_structs/ours/value", "decode_structs/ours/typed"):
            verdict = "  (target <= 20)" + ("  met" if n / nbytes <= 20 else "  MISSED")
        print(f"  {case:<40} {n / 1e6:>8.2f} M  {n / nbytes:>6.1f} instr/byte{verdict}")
    print("as speed ratios (the other's count over ours):")

    def iratio(label, ours, other, target):
        ours, other = instructions.get(ours), instructions.get(other)
        ratio(label, other, ours, target)

    iratio("decode: ours/value vs serde_xmlrpc", f"{ds}/ours/value", f"{ds}/serde_xmlrpc/value", 2.0)
    iratio("decode: ours/typed vs serde_xmlrpc", f"{ds}/ours/typed", f"{ds}/serde_xmlrpc/value", 3.0)
    iratio("decode: ours/value_stream vs ours/value", f"{ds}/ours/value_stream", f"{ds}/ours/value", 0.7)
    iratio("decode: ours/value vs bare quick-xml scan", f"{ds}/ours/value", f"{ds}/quick_xml/bare_scan", 0.8)
    iratio("decode: ours/typed vs bare quick-xml scan", f"{ds}/ours/typed", f"{ds}/quick_xml/bare_scan", 0.8)
    iratio("encode: ours/value vs serde_xmlrpc", f"{es}/ours/value", f"{es}/serde_xmlrpc/value", None)
    iratio("encode: ours/typed vs serde_xmlrpc", f"{es}/ours/typed", f"{es}/serde_xmlrpc/value", None)
PY
