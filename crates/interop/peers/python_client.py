"""Python's xmlrpc.client against the interop test server.

python_client.py URL FAULT_STRING [--builtin] [--gzip] [--latin1]
Prints one tab-separated line per check (see interop::judge_client_output).
"""
import datetime
import random
import sys
import xmlrpc.client as x

url, fault_string, opts = sys.argv[1], sys.argv[2], sys.argv[3:]
builtin = "--builtin" in opts


class GzipTransport(x.Transport):
    encode_threshold = 0  # gzip every request body


kw = {"allow_none": True, "use_builtin_types": builtin}
if "--gzip" in opts:
    kw["transport"] = GzipTransport(use_builtin_types=builtin)
if "--latin1" in opts:
    kw["encoding"] = "iso-8859-1"
p = x.ServerProxy(url, **kw)


def one_line(e):
    return ("%s: %s" % (type(e).__name__, e)).replace("\n", " ").replace("\t", " ")[:300]


def out(*fields):
    print("\t".join(str(f) for f in fields), flush=True)


for name in p.interop.cases():
    try:
        value = p.interop.get(name)
    except Exception as e:
        out("CASE", name, "get-error: " + one_line(e))
        continue
    try:
        out("CASE", name, p.interop.check(name, value))
    except Exception as e:
        out("CASE", name, "send-error: " + one_line(e))

try:
    p.interop.fault(4242, fault_string)
    out("FAULT", "error: no fault")
except x.Fault as f:
    out("FAULT", f.faultCode, f.faultString)
try:
    p.no.such.method()
    out("NOMETHOD", "error: no fault")
except x.Fault as f:
    out("NOMETHOD", f.faultCode, f.faultString)
except Exception as e:
    out("NOMETHOD", "error: " + one_line(e))

try:
    m = x.MultiCall(p)
    m.interop.get("string_ascii")
    m.interop.fault(7, "seven")
    m.echo(5)
    r = m().results
    out("MULTI", r[0][0], r[1]["faultCode"], r[1]["faultString"], r[2][0])
except Exception as e:
    out("MULTI", "error: " + one_line(e))

try:
    out("METHODS", ",".join(sorted(p.system.listMethods())))
    out("HELP", p.system.methodHelp("echo"))
    out("SIG", ",".join(p.system.methodSignature("interop.fault")[0]))
except Exception as e:
    out("METHODS", "error: " + one_line(e))

# validator1, with random inputs and the answers computed here.
rnd = random.Random(1999)


def v1(name, call, want):
    try:
        got = call()
        out("V1", name, "ok" if got == want else "mismatch: want %r, got %r" % (want, got))
    except Exception as e:
        out("V1", name, "error: " + one_line(e))


def stooges():
    return {k: rnd.randint(-1000, 1000) for k in ("moe", "larry", "curly")}


items = [stooges() for _ in range(rnd.randint(5, 20))]
v1("arrayOfStructsTest", lambda: p.validator1.arrayOfStructsTest(items), sum(s["curly"] for s in items))
text = "".join(rnd.choice("<>&'\"abc \u00e9") for _ in range(200))
v1("countTheEntities", lambda: p.validator1.countTheEntities(text), {
    "ctLeftAngleBrackets": text.count("<"), "ctRightAngleBrackets": text.count(">"),
    "ctAmpersands": text.count("&"), "ctApostrophes": text.count("'"), "ctQuotes": text.count('"')})
s = stooges()
v1("easyStructTest", lambda: p.validator1.easyStructTest(s), s["moe"] + s["larry"] + s["curly"])
echo = {"substruct%d" % i: stooges() for i in range(5)}
echo["list"] = [1, "two", 3.5, True]
v1("echoStructTest", lambda: p.validator1.echoStructTest(echo), echo)
when = datetime.datetime(2026, 11, 25, 16, 30, 5)
blob = bytes(rnd.randrange(256) for _ in range(100))
t = when if builtin else x.DateTime(when)
b = blob if builtin else x.Binary(blob)
v1("manyTypesTest", lambda: p.validator1.manyTypesTest(17, False, "str <&>", -3.25, t, b),
   [17, False, "str <&>", -3.25, t, b])
strings = ["s%d" % rnd.randrange(10 ** 6) for _ in range(rnd.randint(100, 200))]
v1("moderateSizeArrayCheck", lambda: p.validator1.moderateSizeArrayCheck(strings), strings[0] + strings[-1])
calendar = {}
for year in ("1999", "2000", "2001"):
    calendar[year] = {"%02d" % m: {"%02d" % d: stooges() for d in range(1, 29)} for m in range(1, 13)}
day = calendar["2000"]["04"]["01"]
v1("nestedStructTest", lambda: p.validator1.nestedStructTest(calendar), day["moe"] + day["larry"] + day["curly"])
n = rnd.randint(-10 ** 5, 10 ** 5)
v1("simpleStructReturnTest", lambda: p.validator1.simpleStructReturnTest(n),
   {"times10": n * 10, "times100": n * 100, "times1000": n * 1000})
