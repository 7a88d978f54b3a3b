# SPDX-License-Identifier: BSD-2-Clause
"""proxy.py - the reverse proxy against real applications (run by
proxy.sh).

Starts proxy_app.py three times (A and B on loopback ports, U on a Unix
socket), its WebSocket echo (W), and forkhttpd with workers = 1 and
upstream-timeout = 2 in front of them, then checks, each case with real
clients (http.client, raw sockets, python3-websockets): GET with a query,
a form POST, a 20 MiB upload streamed (the worker's VmHWM stays well
under it), a chunked upload, downloads with a length, chunked and until
the close (re-framed as chunked for a keep-alive client), 502 (nothing
listening, a broken response), a response cut short, 504, the
application's own 404 and 500, the forwarding fields (no client can
forge them), hop-by-hop fields both ways, a prefix, keep-alive to the
upstream, round-robin, a dead upstream skipped, a Unix socket, a
WebSocket echo, 20 slow requests at once beside a static file,
reloads under load with no failed request, and the cap on tunnels.  Every process it starts is
stopped by its pid; every wait has a deadline.

Environment: FORKHTTPD_BIN, FORKHTTPD_BUILDDIR.  Exit 0 if every check
passed.
"""
import asyncio
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("FORKHTTPD_BIN", "src/forkhttpd")
BUILD = os.environ.get("FORKHTTPD_BUILDDIR", ".")

passed = 0
failed = 0
procs = []


def ok(what):
    global passed
    passed += 1
    print("PASS: " + what, flush=True)


def ko(what):
    global failed
    failed += 1
    print("FAIL: " + what, flush=True)


def check(cond, what):
    (ok if cond else ko)(what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def start_app(name, where, ws=False):
    args = [sys.executable, os.path.join(HERE, "proxy_app.py"), name,
            str(where)] + (["ws"] if ws else [])
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    procs.append(p)
    line = p.stdout.readline()
    if line.strip() != b"ready":
        raise RuntimeError("%s did not start" % name)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---------------------------------------------------------------------
# The setup

tmpbase = os.path.join(BUILD, "tests", "tmp")
os.makedirs(tmpbase, exist_ok=True)
d = tempfile.mkdtemp(prefix="proxy.", dir=tmpbase)
os.chmod(d, 0o755)
os.makedirs(os.path.join(d, "htdocs"))
with open(os.path.join(d, "htdocs", "index.html"), "w") as f:
    f.write("static file\n")
os.chmod(os.path.join(d, "htdocs"), 0o755)
os.chmod(os.path.join(d, "htdocs", "index.html"), 0o644)

pa, pb, pw, dead = free_port(), free_port(), free_port(), free_port()
sock_path = os.path.join(d, "app.sock")
CONF = """# written by tests/integration/proxy.py
listen = {{ "127.0.0.1:{port}" }}
workers = 1
document-root = "htdocs"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"
upstream-timeout = {timeout}
worker-connections = {wc}
body-max = 67108864
server "test" {{
    default = true
    route "/api/" {{ proxy = "http://127.0.0.1:{pa}" }}
    route "/pre/" {{ proxy = "http://127.0.0.1:{pa}/v1/" }}
    route "/rr/" {{ proxy = {{ "http://127.0.0.1:{pa}", "http://127.0.0.1:{pb}" }} }}
    route "/skip/" {{ proxy = {{ "http://127.0.0.1:{dead}", "http://127.0.0.1:{pa}" }} }}
    route "/dead/" {{ proxy = "http://127.0.0.1:{dead}" }}
    route "/unix/" {{ proxy = "unix:{sock}" }}
    route "/ws/" {{ proxy = "http://127.0.0.1:{pw}"  websocket = true }}
}}
"""

server = None
port = None
generation = [1]


def errlog():
    try:
        with open(os.path.join(d, "error.log")) as f:
            return f.read()
    except OSError:
        return ""


def write_conf(timeout, wc=512):
    with open(os.path.join(d, "forkhttpd.conf"), "w") as f:
        f.write(CONF.format(port=port, pa=pa, pb=pb, pw=pw, dead=dead,
                            sock=sock_path, timeout=timeout, wc=wc))


def reload():
    """SIGHUP, and the next generation's "reloaded" line waited for."""
    server.send_signal(signal.SIGHUP)
    want = "reloaded: generation %d" % (generation[0] + 1)
    if wait_for(lambda: want in errlog(), 5):
        generation[0] += 1
        return True
    return False


def start_server():
    global server, port
    for _ in range(3):
        port = free_port()
        write_conf(2)
        server = subprocess.Popen([BIN, "-n", "-f",
                                   os.path.join(d, "forkhttpd.conf")],
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(d, "stderr.log"),
                                              "w"))
        procs.append(server)

        def up():
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False
        if wait_for(lambda: up() or server.poll() is not None, 5) and \
                server.poll() is None:
            return True
        stop(server)
    return False


def worker_pid():
    try:
        with open("/proc/%d/task/%d/children" % (server.pid, server.pid)) \
                as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def conn(timeout=10):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def get(path, headers=None, method="GET", body=None, c=None):
    own = c is None
    c = c or conn()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if own:
        c.close()
    return r, data


def raw(request, timeout=10):
    """Sends bytes, reads until the server closes; the whole answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.sendall(request)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out


# ---------------------------------------------------------------------
# The cases

def t_get_query():
    r, data = get("/api/echo?a=1&b=x%20y")
    j = json.loads(data)
    check(r.status == 200 and j["path"] == "/api/echo?a=1&b=x%20y" and
          j["method"] == "GET", "GET with a query reaches the application "
          "as sent (%s)" % j.get("path"))


def t_post_form():
    body = b"name=forkhttpd&kind=proxy"
    r, data = get("/api/echo", method="POST", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    j = json.loads(data)
    hdr = dict((k.lower(), v) for k, v in j["headers"])
    check(r.status == 200 and j["length"] == len(body) and
          j["sha256"] == hashlib.sha256(body).hexdigest() and
          hdr.get("content-type") == "application/x-www-form-urlencoded"
          and hdr.get("content-length") == str(len(body)),
          "a form POST arrives whole, with its type and length")


def t_upload_20m():
    n = 20 * 1024 * 1024
    w = worker_pid()
    before = vm(w, "VmHWM") if w else 0
    piece = bytes(random.Random(1).getrandbits(8) for _ in range(65536))
    h = hashlib.sha256()
    c = conn(30)
    c.putrequest("POST", "/api/echo")
    c.putheader("Content-Length", str(n))
    c.endheaders()
    left = n
    while left > 0:
        k = min(left, len(piece))
        c.send(piece[:k])
        h.update(piece[:k])
        left -= k
    r = c.getresponse()
    j = json.loads(r.read())
    c.close()
    after = vm(w, "VmHWM") if w else 0
    check(r.status == 200 and j["length"] == n and
          j["sha256"] == h.hexdigest(), "a 20 MiB upload arrives whole")
    check(w is not None and after < 12 * 1024 * 1024 and
          after - before < 8 * 1024 * 1024,
          "the 20 MiB upload is streamed: the worker's VmHWM went from "
          "%d to %d KiB" % (before // 1024, after // 1024))


def t_chunked_upload():
    rnd = random.Random(2)
    data = bytes(rnd.getrandbits(8) for _ in range(300000))
    pieces = []
    i = 0
    while i < len(data):
        k = rnd.randint(1, 40000)
        pieces.append(data[i:i + k])
        i += k
    c = conn()
    c.request("POST", "/api/echo", body=iter(pieces),
              headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = c.getresponse()
    j = json.loads(r.read())
    c.close()
    hdr = dict((k.lower(), v) for k, v in j["headers"])
    check(r.status == 200 and j["length"] == len(data) and
          j["sha256"] == hashlib.sha256(data).hexdigest() and
          hdr.get("transfer-encoding") == "chunked",
          "a chunked upload arrives whole, re-framed as chunked")


def t_downloads():
    c = conn()
    r, data = get("/api/big?n=5000000", c=c)
    check(r.status == 200 and r.getheader("Content-Length") == "5000000"
          and data == b"b" * 5000000, "a 5 MB download with a length")
    r, data = get("/api/chunked?n=300000", c=c)
    check(r.status == 200 and r.getheader("Transfer-Encoding") == "chunked"
          and data == b"c" * 300000, "a chunked download")
    r, data = get("/api/close?n=100000", c=c)
    check(r.status == 200 and r.getheader("Transfer-Encoding") == "chunked"
          and data == b"d" * 100000, "a download delimited by the "
          "upstream's close goes to a keep-alive client chunked")
    r, data = get("/api/echo", c=c)
    check(r.status == 200 and json.loads(data)["method"] == "GET",
          "... and the client's connection carries the next request")
    c.close()
    out = raw(b"GET /api/close?n=5000 HTTP/1.0\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    check(b" 200 " in head and b"chunked" not in head.lower() and
          body == b"d" * 5000, "the same to an HTTP/1.0 client: "
          "delimited by our close")


def t_slow_reader():
    """A client that stops reading for longer than upstream-timeout
    while the application has long finished sending: the application's
    silence is not counted while the response waits on the client."""
    n = 30000000
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(20)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /api/big?n=%d HTTP/1.1\r\nHost: x\r\n"
              b"Connection: close\r\n\r\n" % n)
    first = s.recv(4096)
    # The client's own behaviour, not a wait on the server's state:
    # it reads nothing for 3 s, past upstream-timeout (2 s).
    time.sleep(3)
    got = len(first.partition(b"\r\n\r\n")[2])
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        got += len(b)
    s.close()
    check(got == n, "a client that pauses longer than upstream-timeout "
          "gets the whole response (%d of %d bytes)" % (got, n))


def t_pipelined():
    """Requests pipelined behind one that waits on the application are
    answered in order, and the bytes waiting behind it do not make the
    worker spin meanwhile (its CPU time stays small)."""
    w = worker_pid()
    before = cpu_ms(w)
    s = socket.create_connection(("127.0.0.1", port), 10)
    s.sendall(b"GET /api/slow?s=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    # The client's own pace: the next requests come while the first
    # waits on the application, so they wait in the socket, unread.
    time.sleep(0.3)
    s.sendall(b"GET /api/echo?second HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /api/echo?third HTTP/1.1\r\nHost: x\r\n"
              b"Connection: close\r\n\r\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    spent = cpu_ms(w) - before
    i1, i2, i3 = (out.find(b"slow "), out.find(b"?second"),
                  out.find(b"?third"))
    check(out.count(b"HTTP/1.1 200 ") == 3 and 0 <= i1 < i2 < i3,
          "three pipelined requests behind a slow one, answered in order"
          " (%d of 3; at %d, %d, %d)" % (out.count(b"HTTP/1.1 200 "), i1,
                                        i2, i3))
    check(spent < 300, "the worker did not spin while the bytes waited "
          "(%d ms of CPU in the 1 s wait)" % spent)


def cpu_ms(pid):
    """The process's user + system CPU time, in ms (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // \
        os.sysconf("SC_CLK_TCK")


def t_bad_gateway():
    r, _ = get("/dead/x")
    check(r.status == 502, "502 when nothing listens (%d)" % r.status)
    check("127.0.0.1:%d" % dead in errlog(), "the 502 is logged with "
          "the upstream")


def t_broken():
    r, _ = get("/api/broken")
    check(r.status == 502, "502 for a response that is not HTTP (%d)"
          % r.status)
    check("127.0.0.1:%d: not a valid response head" % pa in errlog(),
          "... logged with the upstream")
    c = conn()
    t0 = time.monotonic()
    c.request("GET", "/api/cut")
    r = c.getresponse()
    try:
        data = r.read()
        cut = len(data) < 100
    except socket.timeout:
        cut = False
    except (http.client.IncompleteRead, ConnectionError):
        cut = True
    took = time.monotonic() - t0
    c.close()
    check(r.status == 200 and cut and took < 5, "a response the upstream "
          "cuts short is cut short for the client too, at once (%.1f s)"
          % took)


def t_gateway_timeout():
    t0 = time.monotonic()
    r, _ = get("/api/stall")
    took = time.monotonic() - t0
    check(r.status == 504 and 1.5 < took < 10, "504 after "
          "upstream-timeout = 2 (%d in %.1f s)" % (r.status, took))
    check("127.0.0.1:%d: timed out" % pa in errlog(), "the 504 is logged "
          "with the upstream")


def t_app_errors():
    r, data = get("/api/missing")
    check(r.status == 404 and data == b"the application's own 404\n" and
          r.getheader("X-App") == "A", "the application's 404 passes "
          "through, body and fields")
    r, data = get("/api/fail")
    check(r.status == 500 and data == b"the application broke, its way\n",
          "the application's 500 passes through")


def t_forwarding():
    c = conn()
    c.putrequest("GET", "/api/echo", skip_host=True)
    c.putheader("Host", "app.example:8080")
    c.putheader("X-Forwarded-For", "10.6.6.6")
    c.putheader("X-Forwarded-Proto", "https")
    c.putheader("X-Forwarded-Host", "evil.example")
    c.putheader("Forwarded", "for=10.6.6.6;proto=https")
    c.putheader("X-Forwarded-For", "10.7.7.7")
    c.endheaders()
    r = c.getresponse()
    j = json.loads(r.read())
    c.close()
    hs = [(k.lower(), v) for k, v in j["headers"]]

    def all_of(name):
        return [v for k, v in hs if k == name]
    check(all_of("x-forwarded-for") == ["127.0.0.1"] and
          all_of("x-forwarded-proto") == ["http"] and
          all_of("x-forwarded-host") == ["app.example:8080"] and
          all_of("forwarded") == ['for=127.0.0.1;proto=http;'
                                  'host="app.example:8080"'] and
          "10.6.6.6" not in data_str(j) and "evil" not in data_str(j),
          "the forwarding fields are ours, whatever the client sent")
    check(all_of("host") == ["app.example:8080"], "Host passes as sent")


def data_str(j):
    return json.dumps(j)


def t_hop_by_hop():
    c = conn()
    c.putrequest("GET", "/api/echo")
    c.putheader("Connection", "keep-alive, X-Private")
    c.putheader("X-Private", "secret")
    c.putheader("Keep-Alive", "timeout=9")
    c.putheader("TE", "trailers")
    c.putheader("Upgrade", "h2c")
    c.putheader("Proxy-Connection", "keep-alive")
    c.putheader("X-Other", "kept")
    c.endheaders()
    r = c.getresponse()
    j = json.loads(r.read())
    names = [k.lower() for k, _ in j["headers"]]
    check(not set(names) & {"connection", "x-private", "keep-alive", "te",
                            "upgrade", "proxy-connection"} and
          "x-other" in names, "hop-by-hop request fields are not passed "
          "(%s)" % ", ".join(names))
    r, _ = get("/api/hop", c=c)
    got = [k.lower() for k, _ in r.getheaders()]
    check(not set(got) & {"x-private", "keep-alive", "proxy-connection",
                          "trailer"} and "x-kept" in got and
          got.count("set-cookie") == 2, "hop-by-hop response fields are not "
          "passed (%s)" % ", ".join(got))
    c.close()


def t_prefix_and_pool():
    r, data = get("/pre/a%20b?q=1")
    check(json.loads(data)["path"] == "/v1/a%20b?q=1", "a prefix replaces "
          "the route's part of the path")
    c = conn()
    peers = set()
    for _ in range(5):
        r, data = get("/api/echo", c=c)
        peers.add(json.loads(data)["peer"])
    c.close()
    check(len(peers) == 1, "keep-alive to the upstream: 5 requests, %d "
          "connection(s)" % len(peers))


def t_round_robin():
    names = [get("/rr/whoami")[1] for _ in range(10)]
    check(names.count(b"A") == 5 and names.count(b"B") == 5 and
          all(names[i] != names[i + 1] for i in range(9)),
          "round-robin over two upstreams (%s)" % b"".join(names).decode())
    names = [get("/skip/whoami")[1] for _ in range(10)]
    refused = errlog().count("127.0.0.1:%d: cannot connect" % dead)
    check(names == [b"A"] * 10 and refused <= 3, "a dead upstream is "
          "skipped (tried %d times in 10 requests and the 502 case)"
          % refused)


def drops(port_):
    c = http.client.HTTPConnection("127.0.0.1", port_, timeout=5)
    c.request("GET", "/drops")
    j = json.loads(c.getresponse().read())
    c.close()
    return j


def t_retry():
    r, _ = get("/rr/drop")
    a, b = drops(pa), drops(pb)
    check(r.status == 502 and a.get("GET", 0) >= 1 and b.get("GET", 0) >= 1,
          "a GET the upstream closed on goes to the next one, then 502 "
          "(A saw %d, B %d)" % (a.get("GET", 0), b.get("GET", 0)))
    r, _ = get("/rr/drop", method="POST", body=b"x=1")
    a, b = drops(pa), drops(pb)
    check(r.status == 502 and a.get("POST", 0) + b.get("POST", 0) == 1,
          "a POST that was sent is never sent again (%d, 502)" %
          (a.get("POST", 0) + b.get("POST", 0)))


def t_no_content():
    c = conn()
    r, data = get("/api/echo", method="HEAD", c=c)
    check(r.status == 200 and data == b"" and
          int(r.getheader("Content-Length")) > 100, "HEAD: the length of "
          "what a GET would get, no body")
    r, data = get("/api/nocontent", c=c)
    check(r.status == 204 and data == b"" and
          r.getheader("Transfer-Encoding") is None, "204: no body, no "
          "framing")
    r, data = get("/api/echo", c=c)
    check(r.status == 200 and json.loads(data)["method"] == "GET",
          "... and the connection goes on")
    c.close()


def t_unix():
    r, data = get("/unix/whoami")
    check(r.status == 200 and data == b"U", "an upstream on a Unix socket")


def t_websocket():
    import websockets

    async def run():
        uri = "ws://127.0.0.1:%d/ws/echo" % port
        async with websockets.connect(uri, compression=None) as ws:
            got = []
            for m in ["hello", "x" * 200000, b"\x00\xffbinary"]:
                await ws.send(m)
                got.append(await asyncio.wait_for(ws.recv(), 10) == m)
            return all(got)
    try:
        res = asyncio.run(asyncio.wait_for(run(), 20))
    except Exception as e:
        res = False
        print("websocket: %r" % e)
    check(res, "a WebSocket echo through the proxy (python3-websockets)")


def t_concurrency():
    # The upstream answers after 2 s: more time than the 504 case's.
    write_conf(5)
    if not check(reload(), "reloaded with upstream-timeout = 5"):
        return
    results = []

    def one():
        try:
            r, data = get("/api/slow?s=2", c=conn(15))
            results.append(r.status)
        except OSError as e:
            results.append(str(e))
    ts = [threading.Thread(target=one) for _ in range(20)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    time.sleep(0.3)
    s0 = time.monotonic()
    r, data = get("/")
    static = time.monotonic() - s0
    for t in ts:
        t.join(30)
    took = time.monotonic() - t0
    check(results == [200] * 20 and took < 6, "20 requests to an upstream "
          "that answers after 2 s, one worker: all done in %.1f s (%s)"
          % (took, sorted(set(map(str, results)))))
    check(r.status == 200 and data == b"static file\n" and static < 0.5,
          "a static file meanwhile, in %.3f s" % static)


def t_reload_under_load():
    stop_at = time.monotonic() + 6
    fails = []
    oks = [0]
    lock = threading.Lock()

    def client():
        c = None
        while time.monotonic() < stop_at:
            if c is None:
                c = conn(5)
            try:
                c.request("GET", "/api/echo")
                r = c.getresponse()
                r.read()
                with lock:
                    if r.status == 200:
                        oks[0] += 1
                    else:
                        fails.append(r.status)
                if (r.getheader("Connection") or "").lower() == "close":
                    c.close()
                    c = None
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    fails.append(repr(e))
                c.close()
                c = None
        if c is not None:
            c.close()
    ts = [threading.Thread(target=client) for _ in range(8)]
    for t in ts:
        t.start()
    reloads = 0
    for _ in range(3):
        time.sleep(1.2)
        reloads += reload()
    for t in ts:
        t.join(20)
    check(reloads == 3 and not fails and oks[0] > 50, "3 reloads under "
          "load through the proxy: %d requests, %d failed %s"
          % (oks[0], len(fails), fails[:3]))


def t_tunnel_cap():
    """worker-connections = 6: at most 3 tunnels, a fourth gets 503."""
    import websockets

    write_conf(5, 6)
    if not check(reload(), "reloaded with worker-connections = 6"):
        return
    uri = "ws://127.0.0.1:%d/ws/echo" % port

    async def run():
        held = [await websockets.connect(uri, compression=None)
                for _ in range(3)]
        try:
            await websockets.connect(uri, compression=None)
            status = 101
        except websockets.exceptions.InvalidStatusCode as e:
            status = e.status_code
        for ws in held:
            await ws.send("still")
            ok = await asyncio.wait_for(ws.recv(), 5) == "still"
            await ws.close()
        return status, ok
    status, ok = asyncio.run(asyncio.wait_for(run(), 20))
    check(status == 503 and ok, "three tunnels open, a fourth is 503 "
          "(%d), the three still echo" % status)
    # Closed tunnels make room again.
    r, _ = get("/")
    check(r.status == 200, "... and the worker serves on")


CASES = [t_get_query, t_post_form, t_upload_20m, t_chunked_upload,
         t_downloads, t_slow_reader, t_pipelined, t_bad_gateway, t_broken, t_gateway_timeout,
         t_app_errors,
         t_forwarding, t_hop_by_hop, t_prefix_and_pool, t_round_robin,
         t_retry, t_no_content, t_unix, t_websocket, t_concurrency,
         t_reload_under_load, t_tunnel_cap]


def main():
    try:
        start_app("A", pa)
        start_app("B", pb)
        start_app("U", sock_path)
        start_app("W", pw, ws=True)
    except RuntimeError as e:
        ko(str(e))
        return
    if not start_server():
        ko("forkhttpd did not start: " + errlog())
        return
    only = os.environ.get("PROXY_CASE")
    for case in CASES:
        if only and case.__name__ != only:
            continue
        try:
            case()
        except Exception as e:
            ko("%s: %r" % (case.__name__, e))


try:
    main()
finally:
    for p in reversed(procs):
        stop(p)
    print("%d passed, %d failed" % (passed, failed))
    if failed == 0 and not os.environ.get("FORKHTTPD_KEEP_TMP"):
        shutil.rmtree(d, ignore_errors=True)
    else:
        print("proxy.py: kept " + d)
sys.exit(0 if failed == 0 and passed > 0 else 1)
