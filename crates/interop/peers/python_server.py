"""Python's SimpleXMLRPCServer with echo and fault, introspection and multicall.

python_server.py [--builtin] [--gzip] [--latin1]
Prints "PORT <n>" once it listens.
"""
import sys
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

opts = sys.argv[1:]


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2", "/")
    encode_threshold = 0 if "--gzip" in opts else 1400

    def log_message(self, *args):
        pass


server = SimpleXMLRPCServer(
    ("127.0.0.1", 0), Handler, logRequests=False, allow_none=True,
    encoding="iso-8859-1" if "--latin1" in opts else None,
    use_builtin_types="--builtin" in opts)


def echo(value):
    """Returns its argument."""
    return value


def fault(code, string):
    """Answers with the fault it is given."""
    raise xmlrpc.client.Fault(code, string)


server.register_function(echo)
server.register_function(fault)
server.register_introspection_functions()
server.register_multicall_functions()
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
