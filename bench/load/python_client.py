#!/usr/bin/env python3
"""Sequential calls from one thread through Python's xmlrpc.client.ServerProxy (one
keep-alive connection), for the blocking-client comparison of bench/load.sh.

Prints one JSON object: calls, seconds, calls_per_second.

Usage: python_client.py URL [--seconds S] [--method add] [--params-file FILE]
(without --params-file the call is add(8, 8); the file holds the JSON form of the params as
`xrpc bench --params @FILE` reads it, with {"dateTime": "..."} for dateTime values).
"""

import argparse
import json
import sys
import time
import xmlrpc.client


def from_json(v):
    if isinstance(v, dict):
        if list(v) == ["dateTime"]:
            return xmlrpc.client.DateTime(v["dateTime"])
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    return v


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--method", default="add")
    parser.add_argument("--params-file")
    args = parser.parse_args()
    params = [8, 8]
    if args.params_file:
        with open(args.params_file) as f:
            params = from_json(json.load(f))
    proxy = xmlrpc.client.ServerProxy(args.url, allow_none=True)
    call = getattr(proxy, args.method)
    call(*params)  # connect, and check that the call works
    calls = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        call(*params)
        calls += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"calls": calls, "seconds": seconds, "calls_per_second": calls / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
