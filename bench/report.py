#!/usr/bin/env python3
"""Turns the results of bench/load.sh (DIR/results.jsonl, machine.json, codec.txt) into
BENCHMARKS.md and a PNG chart of the ratios against the targets of issue 7.

Every ratio is taken between figures of the same round (measured one after the other in the
same run) and the median over the rounds is reported; rates are medians too. The hand-written
analysis in bench/profile.md (profile, fixes, limits) is included as it is.

Usage: report.py DIR [--markdown BENCHMARKS.md] [--chart bench/load_ratios.png]
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

SERVERS = [("ceiling", "bare hyper, fixed reply (no XML-RPC)"), ("ours", "xmlrpc-kit `xrpc serve`"),
           ("xmlrpc_c", "xmlrpc-c Abyss (C)"), ("python", "Python threaded SimpleXMLRPCServer")]
NAME = dict(SERVERS)


def load(out: Path):
    rows = [json.loads(line) for line in open(out / "results.jsonl") if line.strip()]
    by = defaultdict(dict)  # (workload, server, driver) -> round -> row
    for r in rows:
        if r.get("driver") == "wrk":
            r["rate"] = r["requests"] / r["seconds"]
            r["p99"] = r["p99_ms"]
            r["bad"] = r["errors"] + r["non2xx"]
        elif r.get("driver") == "python_serverproxy":
            r["rate"], r["p99"], r["bad"] = r["calls_per_second"], None, 0
        else:
            r["rate"] = r["calls_per_second"]
            r["p99"] = r["latency_ms"]["p99"]
            r["bad"] = r["errors"] + r["faults"]
        by[(r["workload"], r["server"], r["driver"])][r["round"]] = r
    return by


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def stat(by, key, field):
    return median(r[field] for r in by.get(key, {}).values())


def ratio(by, num, den, field="rate", invert=False):
    """Median over rounds of num/den, each round's pair measured side by side."""
    a, b = by.get(num, {}), by.get(den, {})
    vals = []
    for rnd in sorted(set(a) & set(b)):
        x, y = a[rnd][field], b[rnd][field]
        if x and y:
            vals.append(y / x if invert else x / y)
    return median(vals)


def spread(by, num, den):
    """The per-round ratios num/den, lowest to highest, for the text."""
    a, b = by.get(num, {}), by.get(den, {})
    vals = sorted(a[r]["rate"] / b[r]["rate"] for r in set(a) & set(b) if b[r]["rate"])
    return ", ".join(f"{v:.2f}" for v in vals)


def fmt_rate(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def fmt_ms(v):
    return "–" if v is None else f"{v:.2f} ms" if v < 100 else f"{v:.0f} ms"


def targets(by):
    """(label, measured, target, unit, note) for each target of the issue."""
    best_peer_p99 = min((p for p in (stat(by, ("add", s, "wrk"), "p99") for s in ("xmlrpc_c", "python"))
                         if p is not None), default=None)
    ours_p99 = stat(by, ("add", "ours", "wrk"), "p99")
    return [
        ("Small calls: ours / bare-hyper ceiling, `add` (wrk)",
         ratio(by, ("add", "ours", "wrk"), ("add", "ceiling", "wrk")), 0.85, "x", ""),
        ("Data-heavy calls: ours / xmlrpc-c, echo of 1,000 structs (wrk)",
         ratio(by, ("echo", "ours", "wrk"), ("echo", "xmlrpc_c", "wrk")), 5.0, "x", ""),
        ("Latency: best peer's p99 / ours, `add` at 16 connections (wrk)",
         (best_peer_p99 / ours_p99) if best_peer_p99 and ours_p99 else None, 1.0, "x",
         f"ours {fmt_ms(ours_p99)}, best XML-RPC peer {fmt_ms(best_peer_p99)}"),
        ("Client: `xrpc bench` / wrk against `xrpc serve`, `add`",
         ratio(by, ("add", "ours", "xrpc"), ("add", "ours", "wrk")), 0.8, "x", ""),
        ("Client: `xrpc bench` / wrk against `xrpc serve`, echo",
         ratio(by, ("echo", "ours", "xrpc"), ("echo", "ours", "wrk")), 0.8, "x", ""),
        ("Client: blocking `Client` / Python `ServerProxy`, sequential `add` to xmlrpc-c",
         ratio(by, ("add_sequential", "xmlrpc_c", "blocking_client"),
               ("add_sequential", "xmlrpc_c", "python_serverproxy")), 3.0, "x",
         bound_note(by, "xmlrpc_c")),
    ]


def bound_note(by, server):
    """What a client that cost nothing would reach over Python's, from wrk on one connection."""
    r = ratio(by, ("add_sequential", server, "wrk"), ("add_sequential", server, "python_serverproxy"))
    return "" if r is None else f"a client costing nothing would reach {r:.2f}x"


def markdown(by, machine, codec, profile, chart, rounds, seconds):
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Produced by `bench/load.sh` (load: four servers on loopback, driven by wrk and by "
      "`xrpc bench`) and `bench/codec_report.sh` (codec, beside Python, serde_xmlrpc and dxr); "
      "this file and the chart are written by `bench/report.py` from their output. "
      "Servers and load generators share the machine's cores, as in the issue's measurements, "
      "so only figures of the same run compare: every ratio below is taken between "
      "measurements of the same round, one after the other, and the median over "
      f"{rounds} rounds of {seconds} s each is given.")
    w("")
    w(f"Machine: {machine.get('nproc')} cores, {machine.get('cpu')}, Linux {machine.get('kernel')}; "
      f"{machine.get('date')}.  ")
    w(f"Versions: {machine.get('rustc')}, hyper {machine.get('hyper')}, tokio {machine.get('tokio')}, "
      f"Python {machine.get('python')}, xmlrpc-c {machine.get('xmlrpc_c')}, {machine.get('wrk')}.")
    w("")
    if machine.get("loadavg"):
        w(f"The machine's load average when the run started: {machine['loadavg']} (other work "
          "shares it; the per-round spreads below show what that does to single figures).")
        w("")
    w("Servers: `xrpc serve` (release, access log off), a bare hyper server that reads the body "
      "and sends a fixed reply (the ceiling, no XML-RPC), xmlrpc-c's Abyss server (C, "
      "`bench/load/xmlrpc_c_server.c`), Python's threaded `SimpleXMLRPCServer`. The issue's "
      "table also lists dxr on axum; its server is not run here, its codec is in the codec "
      "section.")
    w("")
    w(f"![ratios against the targets]({chart})")
    w("")
    w("## Targets")
    w("")
    w("| target | measured | wanted | |")
    w("|---|---|---|---|")
    for label, value, target, unit, note in targets(by):
        if value is None:
            w(f"| {label} | n/a | ≥ {target:g}{unit} | not measured |")
            continue
        verdict = "met" if value >= target else "**missed**"
        extra = f" ({note})" if note else ""
        w(f"| {label} | {value:.2f}{unit}{extra} | ≥ {target:g}{unit} | {verdict} |")
    w("")
    w("Per-round ratios, lowest to highest: ours / ceiling on `add` "
      f"{spread(by, ('add', 'ours', 'wrk'), ('add', 'ceiling', 'wrk'))}; ours / xmlrpc-c on echo "
      f"{spread(by, ('echo', 'ours', 'wrk'), ('echo', 'xmlrpc_c', 'wrk'))}; `xrpc bench` / wrk on "
      f"`add` {spread(by, ('add', 'ours', 'xrpc'), ('add', 'ours', 'wrk'))}.")
    w("")
    w("## Load: calls per second")
    w("")
    w("wrk: 1 thread, 16 keep-alive connections, `bench/load/post.lua`. `xrpc bench`: our "
      "`AsyncClient`, 1 runtime thread, 16 connections, gzip off (as wrk), each call encoded "
      "and each reply read and checked. p99 is wrk's. Medians over the rounds.")
    w("")
    w("| server | `add(8, 8)` wrk | `add` xrpc bench | `add` p99 | echo 1,000 structs wrk "
      "| echo xrpc bench | echo p99 |")
    w("|---|---|---|---|---|---|---|")
    for key, name in SERVERS:
        cells = [name]
        for workload in ("add", "echo"):
            cells.append(fmt_rate(stat(by, (workload, key, "wrk"), "rate")))
            cells.append(fmt_rate(stat(by, (workload, key, "xrpc"), "rate")))
            cells.append(fmt_ms(stat(by, (workload, key, "wrk"), "p99")))
        w("| " + " | ".join(cells) + " |")
    w("")
    w("Ratios of the same rounds (ours over each; the median of the rounds' ratios):")
    w("")
    w("| | `add` | echo |")
    w("|---|---|---|")
    for key, name in SERVERS:
        if key == "ours":
            continue
        a = ratio(by, ("add", "ours", "wrk"), ("add", key, "wrk"))
        e = ratio(by, ("echo", "ours", "wrk"), ("echo", key, "wrk"))
        w(f"| ours / {name} | {a:.2f}x | {e:.2f}x |" if a and e else f"| ours / {name} | – | – |")
    for key, name in SERVERS[1:]:
        a = ratio(by, ("add", key, "xrpc"), ("add", key, "wrk"))
        e = ratio(by, ("echo", key, "xrpc"), ("echo", key, "wrk"))
        if a and e:
            w(f"| `xrpc bench` / wrk against {name} | {a:.2f}x | {e:.2f}x |")
    w("")
    bad = ", ".join(f"{k[1]}/{k[0]}/{k[2]}: {sum(r['bad'] for r in v.values())}"
                    for k, v in sorted(by.items()) if sum(r["bad"] for r in v.values()))
    w(f"Faults and errors: {bad or 'none in any measurement'}.")
    w("")
    w("## Sequential calls from one thread (`add(8, 8)`, one keep-alive connection)")
    w("")
    w("wrk on one connection is the server's and the kernel's own time per call: no "
      "sequential client can go faster, and the ratio of the clients is bounded by it.")
    w("")
    w("| server | wrk, 1 connection | our blocking `Client` | Python `ServerProxy` | ours / Python "
      "| ours / wrk |")
    w("|---|---|---|---|---|---|")
    for key in ("xmlrpc_c", "ours"):
        f = stat(by, ("add_sequential", key, "wrk"), "rate")
        b = stat(by, ("add_sequential", key, "blocking_client"), "rate")
        p = stat(by, ("add_sequential", key, "python_serverproxy"), "rate")
        r = ratio(by, ("add_sequential", key, "blocking_client"), ("add_sequential", key, "python_serverproxy"))
        rf = ratio(by, ("add_sequential", key, "blocking_client"), ("add_sequential", key, "wrk"))
        w(f"| {NAME[key]} | {fmt_rate(f)} calls/s | {fmt_rate(b)} calls/s | {fmt_rate(p)} calls/s | "
          f"{'–' if r is None else f'{r:.2f}x'} | {'–' if rf is None else f'{rf:.2f}x'} |")
    w("")
    for key in ("xmlrpc_c", "ours"):
        f = stat(by, ("add_sequential", key, "wrk"), "rate")
        b = stat(by, ("add_sequential", key, "blocking_client"), "rate")
        p = stat(by, ("add_sequential", key, "python_serverproxy"), "rate")
        if f and b and p:
            w(f"- {NAME[key]}: the server and kernel take {1e6 / f:.0f} µs a call; on top of that "
              f"our blocking client takes {1e6 / b - 1e6 / f:.0f} µs, Python's {1e6 / p - 1e6 / f:.0f} µs.")
    w("")
    if profile:
        w(profile.strip())
        w("")
    w("## Codec")
    w("")
    w("`bench/codec_report.sh`: criterion on `crates/xmlrpc-kit/benches/codec.rs` (ours, "
      "serde_xmlrpc, dxr, a bare quick-xml scan) beside `bench/python_codec.py` (Python's "
      "`xmlrpc.client`) on the same bytes, and callgrind instruction counts.")
    w("")
    w("```")
    w(codec.strip() if codec else "(not run)")
    w("```")
    w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w("apt-get install wrk gcc libxmlrpc-core-c3-dev python3 valgrind")
    w("pip install matplotlib          # for the chart only")
    w("bench/load.sh                   # LOAD_SECONDS, LOAD_ROUNDS, LOAD_SKIP_CODEC=1: see its header")
    w(f"LOAD_SECONDS={seconds} LOAD_ROUNDS={rounds} bench/load.sh   # the run above")
    w("bench/callgrind_server.sh ours; bench/callgrind_server.sh ceiling   # instructions per call")
    w("xrpc bench http://127.0.0.1:8888/RPC2 --method add --params '[8, 8]' -c 16 -d 10")
    w("```")
    return "\n".join(lines) + "\n"


def chart(by, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib is missing (pip install matplotlib): no chart", file=sys.stderr)
        return False
    rows = [(label.split(":")[0] + ":\n" + label.split(":", 1)[1].strip(), value, target)
            for label, value, target, _, _ in targets(by) if value is not None]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1, 1.35]})
    # Left: calls/s per server, log scale, wrk.
    names = [k for k, _ in SERVERS]
    labels = ["bare hyper\n(ceiling)", "xmlrpc-kit", "xmlrpc-c", "Python"]
    x = range(len(names))
    for offset, workload, colour in ((-0.2, "add", "#4477aa"), (0.2, "echo", "#ee7733")):
        vals = [stat(by, (workload, k, "wrk"), "rate") or 0 for k in names]
        bars = left.bar([i + offset for i in x], vals, 0.4, label="add(8, 8)" if workload == "add"
                        else "echo, 1,000 structs", color=colour)
        for bar, v in zip(bars, vals):
            left.annotate(fmt_rate(v), (bar.get_x() + bar.get_width() / 2, v), ha="center",
                          va="bottom", fontsize=8)
    left.set_yscale("log")
    left.set_xticks(list(x), labels)
    left.set_ylabel("calls/s (wrk, 16 connections; log scale)")
    left.set_title("Load on loopback, same run")
    left.legend(loc="upper right", fontsize=8)
    # Right: each ratio over its target; 1.0 is the target.
    ys = range(len(rows))
    vals = [v / t for _, v, t in rows]
    colours = ["#228833" if v >= 1 else "#cc3311" for v in vals]
    right.barh(list(ys), vals, color=colours)
    right.axvline(1.0, color="black", linestyle="--", linewidth=1)
    for y, (_, v, t), rel in zip(ys, rows, vals):
        right.annotate(f" {v:.2f}x (target {t:g}x)", (rel, y), va="center", fontsize=8)
    right.set_yticks(list(ys), [r[0] for r in rows], fontsize=7.5)
    right.invert_yaxis()
    right.set_xlim(0, max(vals + [1.0]) * 1.45)
    right.set_xlabel("measured ratio / target ratio (right of the dashed line: met)")
    right.set_title("Targets of issue 7")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--markdown", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--chart", type=Path, default=Path("bench/load_ratios.png"))
    args = parser.parse_args()
    by = load(args.dir)
    machine = json.load(open(args.dir / "machine.json")) if (args.dir / "machine.json").exists() else {}
    codec = (args.dir / "codec.txt").read_text() if (args.dir / "codec.txt").exists() else ""
    profile_path = Path(__file__).resolve().parent / "profile.md"
    profile = profile_path.read_text() if profile_path.exists() else ""
    # Measured apart from the load run (bench/metrics.sh's figures): included as it is.
    metrics_path = Path(__file__).resolve().parent / "metrics.md"
    if metrics_path.exists():
        profile = profile.rstrip() + "\n\n" + metrics_path.read_text()
    # Measured apart from the load run (bench/transports.sh writes it): included as it is.
    transports_path = Path(__file__).resolve().parent / "transports.md"
    if transports_path.exists():
        profile = profile.rstrip() + "\n\n" + transports_path.read_text()
    # Measured apart from the load run (see the file): included as it is, like profile.md.
    typed_path = Path(__file__).resolve().parent / "typed_api.md"
    if typed_path.exists():
        profile = profile.rstrip() + "\n\n" + typed_path.read_text()
    rounds = len({r for v in by.values() for r in v})
    seconds = median(r.get("seconds") for v in by.values() for r in v.values())
    chart(by, args.chart)
    chart_rel = Path(args.chart).as_posix()
    args.markdown.write_text(markdown(by, machine, codec, profile, chart_rel, rounds,
                                      round(seconds) if seconds else "?"))
    print(f"wrote {args.markdown} and {args.chart}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
