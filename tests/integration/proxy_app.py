# SPDX-License-Identifier: BSD-2-Clause
"""proxy_app.py - the application proxy.py puts behind forkhttpd.

    python3 proxy_app.py NAME PORT|/SOCKET [ws]

An HTTP/1.1 server (http.server, one thread per connection, keep-alive)
on 127.0.0.1:PORT, or on a Unix socket, that answers what the tests ask
for; with "ws", a
WebSocket echo server (python3-websockets) on that port instead.  It
writes "ready" to stdout once it listens, and runs until it is killed.

    /echo          JSON: method, path (as received), the peer (who
                   connected: the same port twice is a reused
                   connection), headers in order,
                   the body's length and sha256 (read as framed:
                   Content-Length or chunked, never kept whole)
    /big?n=N       N bytes with Content-Length, written in 64 KiB pieces
    /chunked?n=N   N bytes chunked, in pieces of 1000
    /close?n=N     N bytes with neither: the end is the close
    /missing       the application's own 404, with its own body
    /fail          the application's own 500
    /slow?s=S      the answer after S seconds
    /stall         never answers (sleeps an hour)
    /whoami        NAME
    /hop           a response with hop-by-hop fields
    /drop          reads the request, then closes without an answer
    /drops         how many /drop requests came, by method (JSON)
    /nocontent     204
    /broken        a head with two Content-Length values that differ
    /cut           10 bytes of a body that said 100, then the close
"""
import asyncio
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn, UnixStreamServer
from urllib.parse import parse_qs, urlsplit

NAME = sys.argv[1]
LOCK = threading.Lock()
DROPS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        """Reads the body as framed; returns (length, sha256 hex)."""
        h = hashlib.sha256()
        total = 0
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            while True:
                line = self.rfile.readline(1024).strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b""):
                        pass
                    break
                left = size
                while left > 0:
                    data = self.rfile.read(min(left, 65536))
                    if not data:
                        raise ConnectionError("body cut")
                    h.update(data)
                    left -= len(data)
                    total += len(data)
                self.rfile.read(2)
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left > 0:
                data = self.rfile.read(min(left, 65536))
                if not data:
                    raise ConnectionError("body cut")
                h.update(data)
                left -= len(data)
                total += len(data)
        return total, h.hexdigest()

    def send(self, status, body, ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        n = int(q.get("n", ["0"])[0])
        if url.path.endswith("/echo") or url.path.startswith("/v1/"):
            length, digest = self.read_body()
            body = json.dumps({
                "name": NAME, "method": self.command, "path": self.path,
                "peer": str(self.client_address),
                "version": self.request_version,
                "headers": [[k, v] for k, v in self.headers.items()],
                "length": length, "sha256": digest,
            }).encode()
            self.send(200, body, "application/json")
        elif url.path.endswith("/big"):
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            piece = b"b" * 65536
            while n > 0:
                self.wfile.write(piece[:min(n, len(piece))])
                n -= min(n, len(piece))
        elif url.path.endswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while n > 0:
                k = min(n, 1000)
                self.wfile.write(b"%x\r\n" % k + b"c" * k + b"\r\n")
                n -= k
            self.wfile.write(b"0\r\n\r\n")
        elif url.path.endswith("/close"):
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for i in range(n // 100):
                self.wfile.write(b"d" * 100)
                self.wfile.flush()
            self.wfile.write(b"d" * (n % 100))
        elif url.path.endswith("/missing"):
            self.send(404, b"the application's own 404\n",
                      extra=[("X-App", NAME)])
        elif url.path.endswith("/fail"):
            self.send(500, b"the application broke, its way\n")
        elif url.path.endswith("/slow"):
            time.sleep(float(q.get("s", ["2"])[0]))
            self.send(200, b"slow " + NAME.encode() + b"\n")
        elif url.path.endswith("/stall"):
            time.sleep(3600)
        elif url.path.endswith("/whoami"):
            self.read_body()
            self.send(200, NAME.encode())
        elif url.path.endswith("/drop"):
            # Read, counted, and never answered: the connection closes.
            with LOCK:
                DROPS[self.command] = DROPS.get(self.command, 0) + 1
            self.read_body()
            self.close_connection = True
        elif url.path.endswith("/drops"):
            with LOCK:
                self.send(200, json.dumps(DROPS).encode(), "application/json")
        elif url.path.endswith("/broken"):
            # Two lengths that differ: no valid HTTP response.
            self.close_connection = True
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                             b"Content-Length: 6\r\n\r\nhello")
        elif url.path.endswith("/cut"):
            # 100 bytes said, 10 sent, then the close.
            self.close_connection = True
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                             b"\r\n0123456789")
        elif url.path.endswith("/nocontent"):
            self.send_response(204)
            self.end_headers()
        elif url.path.endswith("/hop"):
            self.send(200, b"hop\n", extra=[
                ("Connection", "X-Private"), ("X-Private", "secret"),
                ("Keep-Alive", "timeout=5"), ("Proxy-Connection", "x"),
                ("Trailer", "X-T"), ("X-Kept", "yes"),
                ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        else:
            self.send(404, b"no such thing\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = route


async def ws_main():
    import websockets

    async def echo(ws, path=None):
        async for msg in ws:
            await ws.send(msg)

    async with websockets.serve(echo, "127.0.0.1", int(sys.argv[2])):
        print("ready", flush=True)
        await asyncio.Future()


class UnixServer(ThreadingMixIn, UnixStreamServer):
    daemon_threads = True


if len(sys.argv) > 3 and sys.argv[3] == "ws":
    asyncio.run(ws_main())
elif sys.argv[2].startswith("/"):
    # A socket file the workers (nobody, when run as root) may connect to.
    srv = UnixServer(sys.argv[2], Handler)
    os.chmod(sys.argv[2], 0o777)
    print("ready", flush=True)
    srv.serve_forever()
else:
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
    print("ready", flush=True)
    srv.serve_forever()
