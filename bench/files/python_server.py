#!/usr/bin/env python3
"""The seed's Python server for bench/files.sh: SimpleXMLRPCServer with the seed's
image_put / image_get, files kept in the folder given as argv[2]."""
import os
import sys
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

port, root = int(sys.argv[1]), sys.argv[2]


def image_put(data):
    with open(os.path.join(root, "get_girl.jpg"), "wb") as handle:
        handle.write(data.data)
    return True


def image_get():
    with open(os.path.join(root, "boy.jpg"), "rb") as handle:
        return xmlrpc.client.Binary(handle.read())


server = SimpleXMLRPCServer(("127.0.0.1", port), logRequests=False, allow_none=True)
server.register_function(image_put)
server.register_function(image_get)
print("ready", flush=True)
server.handle_request()  # the upload
server.handle_request()  # the download
