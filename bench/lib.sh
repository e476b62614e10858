# Shared by the load benchmarks (load.sh, transports.sh, metrics.sh, abuse.sh): sourced,
# never run. Sets up the run's folders and the cleanup of its servers, builds (or takes)
# the `xrpc` binary, starts `xrpc serve` and waits for the URL it logs, and runs A/B rounds
# of `xrpc bench` on add(8, 8) between two servers.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_setup metrics-bench 5      # out dir under target/, default rounds

# root, target, out (target/NAME), seconds (LOAD_SECONDS, 5), rounds (LOAD_ROUNDS, or the
# default given), work (a temp dir, removed at exit), pids (killed at exit); cd to root.
bench_setup() { # out-name, default rounds
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    target=${CARGO_TARGET_DIR:-$root/target}
    out=$target/$1
    seconds=${LOAD_SECONDS:-5}
    rounds=${LOAD_ROUNDS:-$2}
    bench_name=$(basename "$0")
    mkdir -p "$out"
    work=$(mktemp -d)
    pids=()
    trap bench_cleanup EXIT
    cd "$root"
}

bench_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}

# xrpc: LOAD_XRPC, or this tree's release build.
bench_build_xrpc() {
    if [[ -n ${LOAD_XRPC:-} ]]; then
        xrpc=$LOAD_XRPC
    else
        cargo build --release -p xrpc >&2
        xrpc=$target/release/xrpc
    fi
}

# Starts `EXE serve ARGS... --root $work/NAME-files` in this shell (so cleanup stops it),
# logging to $work/NAME.log at BENCH_LOG (default info; the access log is off below info).
bench_serve() { # name, exe, serve args...
    local name=$1 exe=$2
    shift 2
    RUST_LOG=${BENCH_LOG:-info} "$exe" serve "$@" --root "$work/$name-files" \
        >/dev/null 2>"$work/$name.log" &
    pids+=($!)
}

# Prints the URL server NAME logs once it listens, or fails the run with its log.
bench_url_of() { # name
    local url
    for _ in $(seq 100); do
        url=$(grep -o 'listening on [^ ]*' "$work/$1.log" | head -n1 | cut -d' ' -f3 || true)
        if [[ -n $url ]]; then
            echo "$url"
            return
        fi
        sleep 0.1
    done
    echo "$bench_name: $1 did not start" >&2
    cat "$work/$1.log" >&2
    exit 1
}

# Alternating rounds of `xrpc bench` (AsyncClient, 16 keep-alive connections, gzip off) on
# add(8, 8): A, B, A, B, ..., so that the machine's other load falls on both alike. Writes
# the raw lines to $out/results.jsonl and prints each round's calls/s, the medians and the
# median of the rounds' ratios B / A.
bench_ab() { # label-a, url-a, label-b, url-b
    local results=$out/results.jsonl round
    : >"$results"
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
    for round in $(seq 1 "$rounds"); do
        for side in a b; do
            local url=$2
            [[ $side == b ]] && url=$4
            "$xrpc" bench "$url" --method add --params '[8, 8]' -c 16 -d "$seconds" --no-gzip --json |
                python3 -c 'import json, sys; l = json.loads(sys.stdin.read()); l.update(side=sys.argv[1], round=int(sys.argv[2])); print(json.dumps(l))' \
                    "$side" "$round" >>"$results"
        done
    done
    python3 - "$results" "$1" "$3" <<'PY'
import json, statistics, sys
path, a_name, b_name = sys.argv[1:]
lines = [json.loads(l) for l in open(path)]
rounds = sorted({l["round"] for l in lines})
def cps(side, r):
    return next(l["calls_per_second"] for l in lines if l["side"] == side and l["round"] == r)
ratios = []
print(f"| round | {a_name}, add calls/s | {b_name}, add calls/s | {b_name} / {a_name} |")
print("|---|---|---|---|")
for r in rounds:
    a, b = cps("a", r), cps("b", r)
    ratios.append(b / a)
    print(f"| {r} | {a:,.0f} | {b:,.0f} | {b / a:.3f} |")
a = statistics.median(cps("a", r) for r in rounds)
b = statistics.median(cps("b", r) for r in rounds)
print(f"| median | {a:,.0f} | {b:,.0f} | {statistics.median(ratios):.3f} (median of the rounds' ratios) |")
print(f"calls made to {b_name}: {sum(l['calls'] for l in lines if l['side'] == 'b')}")
PY
}
