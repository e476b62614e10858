#!/usr/bin/env bash
# The overhead of issue 17's limits on small calls: two `xrpc serve` (release, access log
# off), one built from the commit before the limits (BEFORE) and one from this tree
# (AFTER), driven in turn by `xrpc bench` (our AsyncClient, 1 runtime thread, 16 keep-alive
# connections, gzip off) calling add(8, 8); the rounds alternate (before, after, before,
# ...) so that the machine's other load falls on both alike. Prints each round's calls/s and
# the median of the per-round ratios after / before; raw lines go to
# target/abuse-bench/results.jsonl. With AFTER_FLAGS the second server also gets those
# flags (e.g. AFTER_FLAGS="--rate-limit 1000000 --call-timeout 30" to price the optional
# limits too).
#
#   BEFORE=path/to/old/xrpc bench/abuse.sh     # about a minute; AFTER is built here
#   LOAD_SECONDS=5 LOAD_ROUNDS=5               # per measurement, and rounds (the median is kept)
#   AFTER=path/to/xrpc                         # use this binary instead of building one
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/abuse-bench
seconds=${LOAD_SECONDS:-5}
rounds=${LOAD_ROUNDS:-5}
: "${BEFORE:?set BEFORE to an xrpc binary built before the limits (e.g. git worktree add /tmp/base e3366d8 && cargo build --release -p xrpc there)}"
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
if [[ -z ${AFTER:-} ]]; then
    cargo build --release -p xrpc >&2
    AFTER=$target/release/xrpc
fi

start() { # name, binary, extra flags...; sets $url to the URL it logs
    local name=$1 exe=$2
    shift 2
    RUST_LOG=info "$exe" serve --bind 127.0.0.1:0 --root "$work/$name-files" "$@" \
        >/dev/null 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 100); do
        if url=$(grep -o 'listening on [^ ]*' "$work/$name.log" | head -n1 | cut -d' ' -f3) && [[ -n $url ]]; then
            return
        fi
        sleep 0.1
    done
    echo "abuse.sh: $name did not start" >&2
    cat "$work/$name.log" >&2
    exit 1
}
start before "$BEFORE"
before=$url
# shellcheck disable=SC2086
start after "$AFTER" ${AFTER_FLAGS:-}
after=$url

results=$out/results.jsonl
: >"$results"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
for round in $(seq 1 "$rounds"); do
    for key in before after; do
        url=$before
        [[ $key == after ]] && url=$after
        "$AFTER" bench "$url" --method add --params '[8, 8]' -c 16 -d "$seconds" --no-gzip --json |
            python3 -c 'import json, sys; l = json.loads(sys.stdin.read()); l.update(server=sys.argv[1], round=int(sys.argv[2])); print(json.dumps(l))' \
                "$key" "$round" >>"$results"
    done
done

python3 - "$results" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
rounds = sorted({l["round"] for l in lines})
def cps(key, r):
    return next(l["calls_per_second"] for l in lines if l["server"] == key and l["round"] == r)
ratios = []
print("| round | before, add calls/s | after, add calls/s | after / before |")
print("|---|---|---|---|")
for r in rounds:
    b, a = cps("before", r), cps("after", r)
    ratios.append(a / b)
    print(f"| {r} | {b:,.0f} | {a:,.0f} | {a / b:.3f} |")
b = statistics.median(cps("before", r) for r in rounds)
a = statistics.median(cps("after", r) for r in rounds)
print(f"| median | {b:,.0f} | {a:,.0f} | {statistics.median(ratios):.3f} (median of the rounds' ratios) |")
PY
