#!/usr/bin/env python3
"""The Python peer for bench/load.sh: the standard library's SimpleXMLRPCServer with
ThreadingMixIn (a thread per connection), serving add(x, y) and echo(v).

Request logging is off (as our server's access log is off in the benchmark), and keep-alive
is on: SimpleXMLRPCRequestHandler speaks HTTP/1.1 when protocol_version says so.

Usage: python_server.py ADDRESS PORT
"""

import socketserver
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


class Handler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"
    rpc_paths = ("/", "/RPC2")


class ThreadedServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    request_queue_size = 64  # the listen backlog; socketserver's default of 5 drops clients


def main() -> int:
    address, port = sys.argv[1], int(sys.argv[2])
    server = ThreadedServer((address, port), requestHandler=Handler, logRequests=False,
                            allow_none=True)
    server.register_function(lambda x, y: x + y, "add")
    server.register_function(lambda v: v, "echo")
    print(f"Python {sys.version.split()[0]} threaded SimpleXMLRPCServer listening on "
          f"http://{address}:{port}/RPC2", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
