#!/usr/bin/env python3
"""Writes the documents of the load benchmark into DIR:

  add.xml, add_reply.xml      the call add(8, 8) and its reply
  echo.xml, echo_reply.xml    echo(records) with 1,000 structs, and its reply (~0.5 MB each)
  echo_params.json            the same params in the JSON form `xrpc bench --params @FILE` reads

Calls and replies are written by Python's xmlrpc.client.dumps, so every peer reads the same
bytes. Records: an int, a string (some non-ASCII, some needing escapes), a double, a boolean,
a dateTime and an array of one or two strings, as in benches/codec.rs.

Usage: make_bodies.py DIR
"""

import json
import sys
import xmlrpc.client
from pathlib import Path

NAMES = ["Zoë Müller & Søn", "李雷 <ops>", "O'Brien", "Ana Lúcia Gonçalves",
         "plain ascii customer", "Δημήτρης Παπαδόπουλος", "Smith & Wesson", "Åsa Ödegård"]
TAGS = ["new", "vip", "eu", "wholesale", "on hold", "b2b"]
RECORDS = 1000


def records():
    out = []
    for i in range(RECORDS):
        stamp = f"2026{1 + i % 12:02d}{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(7 * i) % 60:02d}"
        out.append({
            "id": i,
            "name": f"{NAMES[i % len(NAMES)]} #{i}",
            "score": round(i * 1.25 + 0.5, 2),
            "active": i % 3 != 0,
            "created": stamp,
            "tags": [TAGS[i % len(TAGS)]] + ([TAGS[(i + 1) % len(TAGS)]] if i % 2 else []),
        })
    return out


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    recs = records()
    as_python = [dict(r, created=xmlrpc.client.DateTime(r["created"])) for r in recs]
    docs = {
        "add.xml": xmlrpc.client.dumps((8, 8), "add"),
        "add_reply.xml": xmlrpc.client.dumps((16,), methodresponse=True),
        "echo.xml": xmlrpc.client.dumps((as_python,), "echo"),
        "echo_reply.xml": xmlrpc.client.dumps((as_python,), methodresponse=True),
    }
    for name, text in docs.items():
        (out / name).write_bytes(text.encode("utf-8"))
    as_json = [dict(r, created={"dateTime": r["created"]}) for r in recs]
    (out / "echo_params.json").write_text(json.dumps([as_json], ensure_ascii=False))
    for name in docs:
        print(f"{name} {(out / name).stat().st_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
