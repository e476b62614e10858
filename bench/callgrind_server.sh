#!/usr/bin/env bash
# Instructions per call of a server, counted by valgrind's callgrind (the same on every run,
# unlike time on a shared machine): starts the server under callgrind, warms it up, zeroes
# the counters, drives it with `xrpc bench` for a few seconds, dumps, and prints
# instructions per call; the profile stays in the output folder for callgrind_annotate.
#
#   bench/callgrind_server.sh ours      [xrpc binary]   # xrpc serve, add(8, 8)
#   bench/callgrind_server.sh ceiling   [xrpc binary]   # the bare hyper ceiling, same call
#   CALLGRIND_WORKLOAD=echo bench/callgrind_server.sh ours   # echo of 1,000 structs
#
# Output: target/callgrind/<server>-<workload>.out and a line "<server> <workload>:
# N instructions/call over M calls".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
server=${1:?usage: callgrind_server.sh ours|ceiling [xrpc]}
xrpc=${2:-$target/release/xrpc}
workload=${CALLGRIND_WORKLOAD:-add}
seconds=${CALLGRIND_SECONDS:-5}
out=$target/callgrind
mkdir -p "$out"
work=$(mktemp -d)
python3 "$root/bench/load/make_bodies.py" "$work" >/dev/null
port=${CALLGRIND_PORT:-18380}
profile=$out/$server-$workload.out
rm -f "$profile"*
case $server in
    ours) cmd=("$xrpc" serve --bind "127.0.0.1:$port" --root "$work/files") ;;
    ceiling)
        (cd "$root/bench/load/ceiling" && CARGO_TARGET_DIR=$target/ceiling cargo build -q --release)
        cmd=("$target/ceiling/release/hyper-ceiling" "127.0.0.1:$port" "$work/${workload}_reply.xml") ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
esac
# The access log off, as in bench/load.sh (valgrind does not follow `env`'s exec).
RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$profile" "${cmd[@]}" \
    2>"$work/valgrind.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
params='[8, 8]'
[[ $workload == echo ]] && params="@$work/echo_params.json"
bench() {
    "$xrpc" bench "http://127.0.0.1:$port/RPC2" --method "$workload" --params "$params" \
        -c 4 -d "$1" --no-gzip --json
}
for _ in $(seq 100); do bench 0.5 >/dev/null 2>&1 && break; sleep 0.2; done  # up, and warm
callgrind_control -z "$pid" >/dev/null
calls=$(bench "$seconds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"])')
callgrind_control -d "$pid" >/dev/null
for _ in $(seq 50); do [[ -s $profile.1 ]] && break; sleep 0.2; done
sleep 1
total=$(callgrind_annotate "$profile.1" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
echo "$server $workload: $((total / calls)) instructions/call over $calls calls ($profile.1)"
