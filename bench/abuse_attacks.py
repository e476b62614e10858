#!/usr/bin/env python3
"""Issue 17's attacks on two `xrpc serve` binaries, one after the other: before the limits and
after them. For each it starts the server (release builds, --metrics, a fresh folder), sends the
attack, and prints what it got and the server's peak memory (VmHWM) growth. The regression tests
(crates/xrpc/tests/serve_abuse.rs) check the "after" side in CI; this gives the figures beside
the "before" side, from the same machine and run.

    bench/abuse_attacks.py BEFORE_XRPC AFTER_XRPC
    ATTACKS=slow_readers,flood bench/abuse_attacks.py ...   # only those
"""

import base64
import http.client
import os
import re
import resource
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
import zlib


def peak_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1)) // 1024


class Server:
    def __init__(self, exe, *flags):
        self.dir = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.dir.name, "files")
        self.proc = subprocess.Popen(
            [exe, "serve", "--bind", "127.0.0.1:0", "--root", self.root, "--metrics", *flags],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "info"})
        for line in self.proc.stderr:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        self.port = int(self.url.split(":")[2].split("/")[0])
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def peak(self):
        return peak_mib(self.proc.pid)

    def settle(self):
        """Waits (up to two minutes) until no call is in progress: every reply is made."""
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                metrics = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                metrics.request("GET", "/metrics")
                if "xmlrpc_calls_in_flight 0" in metrics.getresponse().read().decode():
                    return
            except OSError:
                pass
            time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.dir.cleanup()


def gz(chunks):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join([c.compress(x) for x in chunks] + [c.flush()])


def call(method, params):
    body = ("<?xml version='1.0'?><methodCall><methodName>%s</methodName><params>%s</params></methodCall>"
            % (method, "".join("<param><value>%s</value></param>" % p for p in params))).encode()
    return b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def gzip_attacks(exe):
    mib = b"a" * (1 << 20)
    head, tail = b"<?xml version='1.0'?><methodCall><methodName>echo</methodName><params>", b"</params></methodCall>"
    out = []
    for name, body in (
        ("1 GiB string, gzipped", gz([head, b"<param><value><string>"] + [mib] * 1024 + [b"</string></value></param>", tail])),
        ("8 strings of 128 MiB, gzipped", gz([head] + [b"<param><value><string>" + mib * 128 + b"</string></value></param>"] * 8 + [tail])),
    ):
        server = Server(exe)
        before = server.peak()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        started = time.time()
        conn.request("POST", "/RPC2", body, {"Content-Type": "text/xml", "Content-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        out.append(f"| {name} ({len(body):,} bytes) | {response.status} in {time.time() - started:.1f} s | +{server.peak() - before} MiB |")
        server.stop()
    return out


def slow_readers(exe):
    server = Server(exe)
    os.makedirs(server.root, exist_ok=True)
    with open(os.path.join(server.root, "boy.jpg"), "wb") as f:
        f.write(os.urandom(50 << 20))
    before = server.peak()
    socks = []
    for i in range(50):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(call("image_get", []) if i % 2 else
                  call("files.read", ["<string>boy.jpg</string>", "<int>0</int>", "<int>52428800</int>"]))
        socks.append(s)
    server.settle()
    time.sleep(1)
    line = f"| 50 slow readers of 50 MiB (image_get, files.read) | replies made | +{server.peak() - before} MiB |"
    for s in socks:
        s.close()
    server.stop()
    return [line]


def flood(exe):
    lines = []
    for count in (1100, 2000):
        server = Server(exe)
        socks = []
        opened = time.time()
        for i in range(count):
            s = socket.socket()
            s.bind(("127.0.0.%d" % (2 + i % 8), 0))
            s.connect(("127.0.0.1", server.port))
            socks.append(s)
        opened = time.time() - opened
        started = time.time()
        xmlrpc.client.ServerProxy(server.url).add(8, 8)
        lines.append(f"| {count:,} idle sockets (opened in {opened:.1f} s), then a new client | add answered in {time.time() - started:.2f} s | |")
        for s in socks:
            s.close()
        server.stop()
    return lines


def passwords(exe):
    dir = tempfile.TemporaryDirectory()
    hashed = subprocess.run(["openssl", "passwd", "-6", "s3cret"], capture_output=True, text=True).stdout.strip()
    users = os.path.join(dir.name, "users")
    with open(users, "w") as f:
        f.write(f"alice:{hashed}\n")
    server = Server(exe, "--auth-file", users)
    statuses = {}
    started = time.time()
    for i in range(1000):
        # A refusal comes before the body is read, and the server then closes the connection.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        auth = base64.b64encode(f"alice:guess{i}".encode()).decode()
        conn.request("POST", "/RPC2", call("add", ["<int>1</int>", "<int>2</int>"]).split(b"\r\n\r\n", 1)[1],
                     {"Content-Type": "text/xml", "Authorization": "Basic " + auth})
        response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
    line = f"| 1,000 wrong passwords | {', '.join(f'{n} x {s}' for s, n in sorted(statuses.items()))} in {time.time() - started:.2f} s | |"
    server.stop()
    dir.cleanup()
    return [line]


def multicall(exe):
    server = Server(exe)
    os.makedirs(server.root, exist_ok=True)
    with open(os.path.join(server.root, "big.bin"), "wb") as f:
        f.write(b"\7" * (16 << 20))
    started = time.time()
    results = xmlrpc.client.ServerProxy(server.url).system.multicall(
        [{"methodName": "files.stat", "params": ["big.bin"]} for _ in range(5000)])
    ran = sum(1 for r in results if isinstance(r, list))
    line = f"| one multicall of 5,000 files.stat (16 MiB file) | {ran} ran, answered in {time.time() - started:.1f} s | |"
    server.stop()
    return [line]


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    for label, exe in (("before", sys.argv[1]), ("after", sys.argv[2])):
        print(f"\n{label}: {exe}\n\n| attack | answer | server peak memory |\n|---|---|---|")
        for attack in (gzip_attacks, slow_readers, flood, passwords, multicall):
            if os.environ.get("ATTACKS") and attack.__name__ not in os.environ["ATTACKS"].split(","):
                continue
            for line in attack(exe):
                print(line, flush=True)


if __name__ == "__main__":
    main()
