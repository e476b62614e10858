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
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup metrics-bench 5
bench_build_xrpc

bench_serve off "$xrpc" --bind 127.0.0.1:0
bench_serve on "$xrpc" --bind 127.0.0.1:0 --metrics
off=$(bench_url_of off)
on=$(bench_url_of on)

bench_ab "metrics off" "$off" "metrics on" "$on"
# The metrics server counted every call: its figure for add is the calls the bench made.
curl -s -m 5 "${on%/RPC2}/metrics" | grep -E '^xmlrpc_calls_total\{method="add",outcome="ok"\}' || true
