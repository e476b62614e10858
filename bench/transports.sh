#!/usr/bin/env bash
# The transports benchmark of issue 14: `xrpc serve` on TCP, a Unix socket, SCGI over TCP and
# over a Unix socket, and nginx in front (scgi_pass to the SCGI server, proxy_pass to the Unix
# socket), each driven by `xrpc bench` (our AsyncClient, 1 runtime thread, 16 connections,
# gzip off) for add(8, 8) and the echo of 1,000 structs (0.59 MB each way). Prints a Markdown
# table (median of the rounds; bench/transports.md holds the last one, with its reading, and
# bench/report.py includes that file in BENCHMARKS.md) and writes the raw lines to
# target/transport-bench/results.jsonl.
#
#   bench/transports.sh                    # about 3 minutes
#   LOAD_SECONDS=5 LOAD_ROUNDS=3           # per measurement, and rounds (the median is kept)
#   LOAD_XRPC=path/to/xrpc                 # use this xrpc binary instead of building one
#
# wrk speaks neither Unix sockets nor SCGI, so every row uses the same driver, `xrpc bench`,
# whose client speaks all of them: the rows compare transports, not drivers. The machine's
# cores are shared by server, driver and nginx: compare rows of one run only.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup transport-bench 3
command -v nginx >/dev/null || { echo "transports.sh: nginx is missing (apt-get install nginx)" >&2; exit 1; }
bench_build_xrpc
python3 bench/load/make_bodies.py "$work" >&2

# The listening line is logged at info; the access log (info for xrpc_kit) stays off.
export BENCH_LOG=warn,xrpc=info
start() { bench_serve "$1" "$xrpc" "$2" "$3"; }
url_of() { bench_url_of "$1"; }
start tcp --bind 127.0.0.1:0
start unix --bind "unix:$work/http.sock"
start scgi_tcp --scgi 127.0.0.1:0
start scgi_unix --scgi "unix:$work/scgi.sock"
tcp=$(url_of tcp)
unix=$(url_of unix)
scgi_tcp=$(url_of scgi_tcp)
scgi_unix=$(url_of scgi_unix)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process off;   # one process, running as us: the sockets are in our private temp dir
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    client_max_body_size 64m;
    upstream unix_keepalive { server unix:$work/http.sock; keepalive 32; }
    server {
        listen 127.0.0.1:$port;
        location = /RPC2 { include /etc/nginx/scgi_params; scgi_pass ${scgi_tcp#scgi://}; }
        location = /unix/RPC2 {
            proxy_pass http://unix_keepalive/RPC2;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break
    sleep 0.1
done

declare -A urls=(
    [tcp]=$tcp
    [unix]=$unix
    [scgi_tcp]=$scgi_tcp
    [scgi_unix]=$scgi_unix
    [nginx_scgi]=http://127.0.0.1:$port/RPC2
    [nginx_unix]=http://127.0.0.1:$port/unix/RPC2
)
order=(tcp unix scgi_tcp scgi_unix nginx_scgi nginx_unix)

results=$out/results.jsonl
: >"$results"
for round in $(seq 1 "$rounds"); do
    for workload in add echo; do
        params='[8, 8]'
        [[ $workload == echo ]] && params="@$work/echo_params.json"
        for key in "${order[@]}"; do
            echo "== round $round: $workload over $key" >&2
            "$xrpc" bench "${urls[$key]}" --method "$workload" --params "$params" -c 16 \
                -d "$seconds" --no-gzip --json |
                python3 -c 'import json, sys; l = json.loads(sys.stdin.read()); l.update(transport=sys.argv[1], workload=sys.argv[2]); print(json.dumps(l))' \
                    "$key" "$workload" >>"$results"
        done
    done
done

python3 - "$results" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
names = {
    "tcp": "HTTP over TCP (`--bind 127.0.0.1:0`)",
    "unix": "HTTP over a Unix socket (`--bind unix:…`)",
    "scgi_tcp": "SCGI over TCP (`--scgi 127.0.0.1:0`), direct",
    "scgi_unix": "SCGI over a Unix socket (`--scgi unix:…`), direct",
    "nginx_scgi": "nginx `scgi_pass` → SCGI over TCP",
    "nginx_unix": "nginx `proxy_pass` (keep-alive upstream) → Unix socket",
}
def median(key, workload, field):
    return statistics.median(field(l) for l in lines if l["transport"] == key and l["workload"] == workload)
base = {w: median("tcp", w, lambda l: l["calls_per_second"]) for w in ("add", "echo")}
print("| transport | add calls/s | vs TCP | 1,000-struct echo calls/s | vs TCP | add p50 ms |")
print("|---|---|---|---|---|---|")
for key in names:
    add = median(key, "add", lambda l: l["calls_per_second"])
    echo = median(key, "echo", lambda l: l["calls_per_second"])
    p50 = median(key, "add", lambda l: l["latency_ms"]["p50"])
    print(f"| {names[key]} | {add:,.0f} | {add / base['add']:.2f} | {echo:,.1f} | {echo / base['echo']:.2f} | {p50:.2f} |")
PY
