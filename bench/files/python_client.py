#!/usr/bin/env python3
"""The seed's Python client for bench/files.sh: uploads argv[2] with image_put and
downloads boy.jpg with image_get into argv[3], printing the seconds each took."""
import sys
import time
import xmlrpc.client

server = xmlrpc.client.ServerProxy(sys.argv[1])
started = time.perf_counter()
with open(sys.argv[2], "rb") as handle:
    server.image_put(xmlrpc.client.Binary(handle.read()))
up = time.perf_counter() - started
started = time.perf_counter()
with open(sys.argv[3], "wb") as handle:
    handle.write(server.image_get().data)
down = time.perf_counter() - started
print(f"{up:.3f} {down:.3f}")
