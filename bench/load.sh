#!/usr/bin/env bash
# The load benchmark of issue 7: starts four servers on loopback and drives each with wrk and
# with `xrpc bench`, for two workloads, then writes BENCHMARKS.md and bench/load_ratios.png.
#
#   bench/load.sh                      # about 10 minutes with the codec benchmarks
#   LOAD_SECONDS=5 LOAD_ROUNDS=3       # per measurement, and rounds (the median is kept)
#   LOAD_SKIP_CODEC=1                  # reuse the last codec report (target/load-bench/codec.txt)
#   LOAD_NO_REPORT=1                   # measure only: target/load-bench/results.jsonl
#   LOAD_XRPC=path/to/xrpc             # use this xrpc binary instead of building one
#
# Servers (each answers add(i, i) and echo(v) at /RPC2):
#   ours      `xrpc serve` (release build, access log off: RUST_LOG=warn)
#   ceiling   bench/load/ceiling: bare hyper, reads the body, sends a fixed reply (no XML-RPC)
#   xmlrpc-c  bench/load/xmlrpc_c_server.c: xmlrpc-c's Abyss server, from libxmlrpc-core-c3-dev
#   python    bench/load/python_server.py: threaded SimpleXMLRPCServer, request log off
# Workloads: add(8, 8); echo of 1,000 structs (0.59 MB each way), bodies from make_bodies.py.
# Drivers: wrk (1 thread, 16 keep-alive connections, bench/load/post.lua) and `xrpc bench`
# (our AsyncClient, 1 runtime thread, 16 connections, gzip off as wrk). Then sequential calls
# from one thread: our blocking Client (`xrpc bench --blocking -c 1`) and Python's ServerProxy,
# beside wrk on one connection (what the server and the kernel take per call: the floor).
#
# Everything shares the machine's cores: figures are only comparable within one run, which is
# why the report gives ratios between figures of the same run. Nothing here fails on speed.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup load-bench 3

need() { command -v "$1" >/dev/null || { echo "load.sh: $1 is missing ($2)" >&2; exit 1; }; }
need wrk "apt-get install wrk"
need gcc "apt-get install gcc"
need xmlrpc-c-config "apt-get install libxmlrpc-core-c3-dev"
need python3 "apt-get install python3"

echo "== build" >&2
bench_build_xrpc
(cd bench/load/ceiling && CARGO_TARGET_DIR=$target/ceiling cargo build --release >&2)
ceiling=$target/ceiling/release/hyper-ceiling
# shellcheck disable=SC2046
gcc -O2 -Wall -o "$out/xmlrpc_c_server" bench/load/xmlrpc_c_server.c \
    $(xmlrpc-c-config abyss-server --cflags --libs)
python3 bench/load/make_bodies.py "$work" >&2

# Ports: fixed, on loopback; a clash shows as a start failure.
base=${LOAD_PORT_BASE:-18180}
declare -A port=([ceiling_add]=$base [ceiling_echo]=$((base + 1)) [ours]=$((base + 2))
    [xmlrpc_c]=$((base + 3)) [python]=$((base + 4)))

start() { # name, command...
    local name=$1; shift
    "$@" >"$out/$name.log" 2>&1 &
    pids+=($!)
}
cut -d' ' -f1-3 /proc/loadavg >"$out/loadavg"
echo "== start the servers" >&2
start ceiling_add "$ceiling" "127.0.0.1:${port[ceiling_add]}" "$work/add_reply.xml"
start ceiling_echo "$ceiling" "127.0.0.1:${port[ceiling_echo]}" "$work/echo_reply.xml"
start ours env RUST_LOG=warn "$xrpc" serve --bind "127.0.0.1:${port[ours]}" --root "$work/files"
start xmlrpc_c "$out/xmlrpc_c_server" 127.0.0.1 "${port[xmlrpc_c]}"
start python python3 bench/load/python_server.py 127.0.0.1 "${port[python]}"

url() { echo "http://127.0.0.1:${port[$1]}/RPC2"; }
# Each server must answer both calls correctly before it is measured.
python3 - "$work" "add $(url ceiling_add)" "echo $(url ceiling_echo)" "add,echo $(url ours)" \
    "add,echo $(url xmlrpc_c)" "add,echo $(url python)" <<'PY' >&2
import sys, time, urllib.request, xmlrpc.client
work, servers = sys.argv[1], [a.split() for a in sys.argv[2:]]
call = {n: open(f"{work}/{n}.xml", "rb").read() for n in ("add", "echo")}
want = {"add": 16, "echo": xmlrpc.client.loads(call["echo"])[0][0]}
for names, url in servers:
    for name in names.split(","):
        for attempt in range(100):
            try:
                req = urllib.request.Request(url, call[name], {"Content-Type": "text/xml"})
                reply = urllib.request.urlopen(req, timeout=30).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"{url} does not answer")
        got = xmlrpc.client.loads(reply)[0][0]
        if got != want[name]:
            sys.exit(f"{url} answered {name} wrongly")
    print(f"checked {url}")
PY

run_wrk() { # server-key, workload -> JSON line
    BODY="$work/$2.xml" wrk -t1 -c16 -d"${seconds}s" --timeout 30s -s bench/load/post.lua \
        "$(url "$1")" | tail -n 1
}
run_xrpc() { # server-key, workload -> JSON line
    local params='[8, 8]'
    [[ $2 == echo ]] && params="@$work/echo_params.json"
    "$xrpc" bench "$(url "$1")" --method "$2" --params "$params" -c 16 -d "$seconds" \
        --no-gzip --json
}

results=$out/results.jsonl
: >"$results"
record() { # fields... then the JSON line on stdin
    python3 -c '
import json, sys
keys = sys.argv[1::2]; vals = sys.argv[2::2]
line = json.loads(sys.stdin.read())
line.update(dict(zip(keys, vals)))
print(json.dumps(line))' "$@" >>"$results"
}

for round in $(seq 1 "$rounds"); do
    for workload in add echo; do
        for server in ceiling ours xmlrpc_c python; do
            key=$server
            [[ $server == ceiling ]] && key=ceiling_$workload
            echo "== round $round: $workload on $server: wrk" >&2
            run_wrk "$key" "$workload" | record round "$round" workload "$workload" server "$server" driver wrk
            [[ $server == ceiling ]] && continue  # xrpc bench checks replies: the fixed one is fine, but says nothing new
            echo "== round $round: $workload on $server: xrpc bench" >&2
            run_xrpc "$key" "$workload" | record round "$round" workload "$workload" server "$server" driver xrpc
        done
    done
    for server in xmlrpc_c ours; do
        echo "== round $round: sequential add on $server: wrk -c1, blocking Client, Python ServerProxy" >&2
        # wrk on one connection: the server's and the kernel's own time per call, the floor
        # under any sequential client.
        BODY="$work/add.xml" wrk -t1 -c1 -d"${seconds}s" --timeout 30s -s bench/load/post.lua \
            "$(url "$server")" | tail -n 1 |
            record round "$round" workload add_sequential server "$server" driver wrk
        "$xrpc" bench "$(url "$server")" --blocking -c 1 -d "$seconds" --no-gzip --json |
            record round "$round" workload add_sequential server "$server" driver blocking_client
        python3 bench/load/python_client.py "$(url "$server")" --seconds "$seconds" |
            record round "$round" workload add_sequential server "$server" driver python_serverproxy
    done
done

python3 - "$out" <<'PY'
import json, platform, subprocess, sys
out = sys.argv[1]
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
lock = open("Cargo.lock").read().split("[[package]]")
def locked(name):
    for block in lock:
        if f'\nname = "{name}"\n' in block:
            return block.split('version = "', 1)[1].split('"', 1)[0]
    return "?"
machine = {
    "nproc": run("nproc"), "cpu": cpu, "kernel": platform.release(),
    "rustc": run("rustc", "--version"), "hyper": locked("hyper"), "tokio": locked("tokio"),
    "python": platform.python_version(), "xmlrpc_c": run("xmlrpc-c-config", "--version"),
    "wrk": run("sh", "-c", "wrk -v 2>&1 | head -n 1").split(" [")[0],
    "date": run("date", "-u", "+%Y-%m-%d %H:%M UTC"),
    "loadavg": open(f"{out}/loadavg").read().strip(),
}
json.dump(machine, open(f"{out}/machine.json", "w"), indent=1)
PY

if [[ -z ${LOAD_SKIP_CODEC:-} ]]; then
    echo "== codec benchmarks (bench/codec_report.sh)" >&2
    bench/codec_report.sh >"$out/codec.txt"
fi
if [[ -z ${LOAD_NO_REPORT:-} ]]; then
    python3 bench/report.py "$out" --markdown BENCHMARKS.md --chart bench/load_ratios.png
fi
