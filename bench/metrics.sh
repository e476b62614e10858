#!/usr/bin/env bash
# The metrics overhead of issue 19: two `xrpc serve` (release, access log off), one with
# --metrics and one without, driven in turn by `xrpc bench` (our AsyncClient, 1 runtime
# thread, 16 keep-alive connections, gzip off) calling add(8, 8); the rounds alternate
# between the two servers (off, on, off, on, ...) so that the machine's other load falls on
# both alike. Prints each round's calls/s and the median of the per-round ratios on / off,
# and writes the raw lines to target/metrics-bench/results.jsonl.
#
#   bench/metrics.sh                       # about a minute
#   LOAD_SECONDS=5 LOAD_ROUNDS=5           # per measurement, and rounds (the median is kept)
#   LOAD_XRPC=path/to/xrpc                 # use this xrpc binary instead of building one
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/metrics-bench
seconds=${LOAD_SECONDS:-5}
rounds=${LOAD_ROUNDS:-5}
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
if [[ -n ${LOAD_XRPC:-} ]]; then
    xrpc=$LOAD_XRPC
else
    cargo build --release -p xrpc >&2
    xrpc=$target/release/xrpc
fi

start() { # name, extra flags...; sets $url to the URL it logs
    local name=$1
    shift
    RUST_LOG=info "$xrpc" serve --bind 127.0.0.1:0 --root "$work/$name-files" "$@" \
        >/dev/null 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 100); do
        if url=$(grep -o 'listening on [^ ]*' "$work/$name.log" | head -n1 | cut -d' ' -f3) && [[ -n $url ]]; then
            return
        fi
        sleep 0.1
    done
    echo "metrics.sh: $name did not start" >&2
    cat "$work/$name.log" >&2
    exit 1
}
start off
off=$url
start on --metrics
on=$url

results=$out/results.jsonl
: >"$results"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
for round in $(seq 1 "$rounds"); do
    for key in off on; do
        url=$off
        [[ $key == on ]] && url=$on
        "$xrpc" bench "$url" --method add --params '[8, 8]' -c 16 -d "$seconds" --no-gzip --json |
            python3 -c 'import json, sys; l = json.loads(sys.stdin.read()); l.update(metrics=sys.argv[1], round=int(sys.argv[2])); print(json.dumps(l))' \
                "$key" "$round" >>"$results"
    done
done
# The metrics server counted every call: its figure for add is the calls the bench made.
curl -s -m 5 "${on%/RPC2}/metrics" | grep -E '^xmlrpc_calls_total\{method="add",outcome="ok"\}' || true

python3 - "$results" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
rounds = sorted({l["round"] for l in lines})
def cps(key, r):
    return next(l["calls_per_second"] for l in lines if l["metrics"] == key and l["round"] == r)
ratios = []
print("| round | metrics off, add calls/s | metrics on, add calls/s | on / off |")
print("|---|---|---|---|")
for r in rounds:
    off, on = cps("off", r), cps("on", r)
    ratios.append(on / off)
    print(f"| {r} | {off:,.0f} | {on:,.0f} | {on / off:.3f} |")
off = statistics.median(cps("off", r) for r in rounds)
on = statistics.median(cps("on", r) for r in rounds)
print(f"| median | {off:,.0f} | {on:,.0f} | {statistics.median(ratios):.3f} (median of the rounds' ratios) |")
print(f"calls the bench made to the metrics server: {sum(l['calls'] for l in lines if l['metrics'] == 'on')}")
PY
