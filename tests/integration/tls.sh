#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tls.sh - HTTPS with real clients (curl, openssl s_client) against the
# real binary: two servers on one TLS listener (SNI picks each
# certificate, no SNI gets the default's, a Host of the other server
# gets 421), ALPN, old protocols and weak ciphers refused, plain HTTP to
# the TLS port answered 400, the plain listener's redirect to HTTPS,
# session resumption across workers and across a reload, a reload that
# swaps a certificate while a download is in flight, a reload with a
# broken key refused, and a stalled half ClientHello that neither holds
# the only worker nor outlives header-timeout.  The certificates come
# from a throwaway CA made here; no key is ever committed.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_SRCDIR,
# FORKHTTPD_BUILDDIR.  127.0.0.1 only; everything bounded in time.

set -u
: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_BIN:=$FORKHTTPD_BUILDDIR/src/forkhttpd}"

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if [ "$1" = "$2" ]; then ok "$3"; else ko "$3: got '$1', want '$2'"; fi; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

for tool in curl openssl python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "tls.sh: $tool is not installed" >&2
		exit 77
	fi
done

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"
server_scratch tls || exit 1
cleanup() { server_cleanup tls.sh "$fail"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- certificates: a CA, then a.test and b.test signed by it ---------------
pki="$dir/pki"
mkdir -p "$pki" "$dir/htdocs"
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=forkhttpd test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" || { ko "openssl: no CA"; finish; }
# cert NAME SERIAL: $pki/NAME.crt and NAME.key, for NAME.test.
cert() {
	ossl req -newkey rsa:2048 -nodes -subj "/CN=$1.test" \
	    -keyout "$pki/$1.key.new" -out "$pki/$1.csr" &&
	printf 'subjectAltName=DNS:%s.test\n' "$1" >"$pki/$1.ext" &&
	ossl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
	    -set_serial "$2" -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.crt.new" &&
	mv "$pki/$1.key.new" "$pki/$1.key" && mv "$pki/$1.crt.new" "$pki/$1.crt"
}
cert a 4097 && cert b 8193 || { ko "openssl: no certificates"; finish; }
# An OCSP response for b ("good"), signed by the CA, for stapling.
printf 'V\t301231000000Z\t\t2001\tunknown\t/CN=b.test\n' >"$pki/index.txt"
ossl ocsp -index "$pki/index.txt" -rsigner "$pki/ca.crt" -rkey "$pki/ca.key" \
    -CA "$pki/ca.crt" -issuer "$pki/ca.crt" -cert "$pki/b.crt" \
    -respout "$pki/b.ocsp" -ndays 2 || { ko "openssl ocsp: no response"; finish; }
chmod 0600 "$pki"/*.key
echo "site a" >"$dir/htdocs/index.html"
mkdir -p "$dir/cgi"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nHTTPS=%%s\\n" "$HTTPS"\n' \
    >"$dir/cgi/https.sh"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nproto=%%s\\n" "$HTTP_X_FORWARDED_PROTO"\n' \
    >"$dir/cgi/proto.sh"
chmod 0755 "$dir/cgi" "$dir/cgi/https.sh" "$dir/cgi/proto.sh"
head -c 4194304 /dev/urandom >"$dir/htdocs/big.bin"

tport=
server_conf() {
	tport=$(server_free_port)
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/tls.sh
listen = { "127.0.0.1:$1", "127.0.0.1:$tport tls" }
workers = 4
header-timeout = 3
document-root = "htdocs"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
access-log-format = "%P %v %s %{SSL_PROTOCOL}x %{SSL_CIPHER}x %r"
log-level = "info"
user = "nobody"
status-path = "/server-status"
tls-certificate = "pki/a.crt"
tls-key = "pki/a.key"
server "a.test" {
    default = true
    route "/cgi/" { cgi = true  alias = "cgi/" }
    # Through the proxy to this server's own plain listener.
    route "/px/" { proxy = { "http://127.0.0.1:$1/cgi/" } }
}
server "b.test" {
    tls-certificate = "pki/b.crt"
    tls-key = "pki/b.key"
    tls-ocsp-file = "pki/b.ocsp"
}
server "plain.test" {
    listen = { "127.0.0.1:$1" }
    redirect = "https://\$host:$tport\$path"
}
EOF
}
answers() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }
if ! server_start answers "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"; then
	ko "server did not start"
	server_logs
	finish
fi

https() {
	curl --noproxy '*' -s --max-time 10 --cacert "$pki/ca.crt" \
	    --resolve "a.test:$tport:127.0.0.1" \
	    --resolve "b.test:$tport:127.0.0.1" "$@"
}
# serial [s_client args]: the serial of the certificate the server shows.
serial() {
	echo | openssl s_client -connect "127.0.0.1:$tport" "$@" 2>/dev/null |
	    openssl x509 -noout -serial 2>/dev/null
}

# 1. SNI picks each server's certificate; no SNI gets the default's.
check "$(https https://a.test:$tport/)" "site a" "GET https://a.test/ verified"
check "$(https -o /dev/null -w '%{http_code}' https://b.test:$tport/)" 200 \
    "GET https://b.test/ verified against b's certificate"
check "$(serial -servername a.test)" "serial=1001" "SNI a.test: a's certificate"
check "$(serial -servername b.test)" "serial=2001" "SNI b.test: b's certificate"
check "$(serial -noservername)" "serial=1001" "no SNI: the default's"
check "$(serial -servername unknown.test)" "serial=1001" \
    "an unknown name: the default's"

# OCSP stapling: b's response to a client that asks; a has none.
echo | openssl s_client -connect "127.0.0.1:$tport" -servername b.test \
    -status 2>/dev/null | grep -q 'Cert Status: good' &&
    ok "OCSP stapling: b's response, good" || ko "no OCSP response for b"
echo | openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
    -status 2>/dev/null | grep -q 'OCSP response: no response sent' &&
    ok "no OCSP response for a (none configured)" ||
    ko "a: an OCSP response, or none said"

# A CGI script learns that the request came over TLS (HTTPS=on).
check "$(https https://a.test:$tport/cgi/https.sh)" "HTTPS=on" \
    "CGI over TLS: HTTPS=on"
check "$(https https://a.test:$tport/px/proto.sh)" "proto=https" \
    "the proxy over TLS: X-Forwarded-Proto: https"

# 2. A Host of another server than SNI chose: 421.
check "$(https -o /dev/null -w '%{http_code}' -H 'Host: a.test' \
    https://b.test:$tport/)" 421 "SNI b.test, Host a.test: 421"

# 3. ALPN, protocols, ciphers.
check "$(echo | openssl s_client -connect 127.0.0.1:$tport -alpn h2,http/1.1 \
    2>/dev/null | sed -n 's/^ALPN protocol: //p')" "http/1.1" "ALPN http/1.1"
for p in tls1 tls1_1; do
	if echo | openssl s_client -connect "127.0.0.1:$tport" -$p \
	    -cipher 'DEFAULT:@SECLEVEL=0' >/dev/null 2>&1; then
		ko "-$p accepted"
	else
		ok "-$p refused"
	fi
done
for c in AES128-SHA AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA DHE-RSA-AES128-GCM-SHA256; do
	if echo | openssl s_client -connect "127.0.0.1:$tport" -tls1_2 \
	    -cipher "$c" >/dev/null 2>&1; then
		ko "TLS 1.2 cipher $c accepted"
	else
		ok "TLS 1.2 cipher $c refused"
	fi
done
if echo | openssl s_client -connect "127.0.0.1:$tport" -tls1_2 \
    -cipher ECDHE-RSA-AES128-GCM-SHA256 >/dev/null 2>&1; then
	ok "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 accepted"
else
	ko "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 refused"
fi

# 4. Plain HTTP to the TLS port: a 400 that says so, then closed.
out=$(curl -s --max-time 5 -D "$dir/plain.head" http://127.0.0.1:$tport/)
case $out in
*"plain HTTP request was sent to an HTTPS port"*) ok "plain HTTP to the TLS port: explained" ;;
*) ko "plain HTTP to the TLS port: body '$out'" ;;
esac
check "$(sed -n '1s/\r$//p' "$dir/plain.head")" "HTTP/1.1 400 Bad Request" \
    "plain HTTP to the TLS port: 400"
grep -qi '^connection: close' "$dir/plain.head" && ok "... and Connection: close" ||
    ko "plain HTTP to the TLS port: no Connection: close"

# 5. The plain server redirects to HTTPS.
check "$(curl -s --max-time 5 -o /dev/null -w '%{redirect_url}' \
    -H 'Host: plain.test' "http://127.0.0.1:$port/x?y=1")" \
    "https://plain.test:$tport/x?y=1" "http -> https redirect"

# 6. A file over TLS arrives whole.
https -o "$dir/big.out" https://a.test:$tport/big.bin
cmp -s "$dir/big.out" "$dir/htdocs/big.bin" && ok "4 MiB over TLS, intact" ||
    ko "4 MiB over TLS differs"

# 7. The access log shows the protocol and the cipher.
sleep 0.2
grep -q ' TLSv1\.3 TLS_AES_[0-9A-Z_]* GET / ' "$dir/access.log" &&
    ok "access log: %{SSL_PROTOCOL}x %{SSL_CIPHER}x" ||
    ko "access log lacks protocol and cipher: $(tail -n 2 "$dir/access.log")"

# 8. Resumption: every reconnection resumes, whichever of the 4 workers.
# resumed N [args]: how many of N connections resumed the first's session.
resumed() {
	n=$1
	shift
	printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
	    openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
	    -sess_out "$dir/sess" -ign_eof "$@" >/dev/null 2>&1
	r=0
	i=0
	while [ $i -lt "$n" ]; do
		printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
		    openssl s_client -connect "127.0.0.1:$tport" \
		    -servername a.test -sess_in "$dir/sess" -ign_eof "$@" \
		    2>/dev/null | grep -q '^Reused,' && r=$((r + 1))
		i=$((i + 1))
	done
	echo $r
}
check "$(resumed 12)" 12 "TLS 1.3: 12 of 12 connections resumed (4 workers)"
check "$(resumed 12 -tls1_2)" 12 "TLS 1.2: 12 of 12 connections resumed"
# A resumed TLS 1.3 connection gets a fresh ticket (clients use one
# once): without it every other connection of a client like wrk was a
# full handshake.
printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
    openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
    -sess_out "$dir/sess13" -ign_eof >/dev/null 2>&1
printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
    openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
    -sess_in "$dir/sess13" -ign_eof -msg >"$dir/resumed.msg" 2>&1
if grep -q '^Reused, TLSv1.3' "$dir/resumed.msg" &&
    grep -q 'NewSessionTicket' "$dir/resumed.msg"; then
	ok "a resumed TLS 1.3 connection gets a new ticket"
else
	ko "a resumed TLS 1.3 connection got no new ticket"
fi
pids=$(awk '{print $1}' "$dir/access.log" | sort -u | wc -l)
[ "$pids" -ge 2 ] && ok "requests served by $pids workers" ||
    echo "note: all requests went to one worker"

# The status page counts handshakes, resumed ones and failures.
st=$(https "https://a.test:$tport/server-status?json" | tr -d '\n')
case $st in
*'"tls": {"handshakes": '[1-9]*', "resumed": '[1-9]*', "failed": '[1-9]*', "plain_requests": '[1-9]*'}'*)
	ok "status page: TLS handshakes, resumed, failed, plain" ;;
*) ko "status page lacks the TLS counts: $(echo "$st" | grep -o '"tls": {[^}]*}')" ;;
esac

# 9. A reload that swaps a certificate, a download in flight: the old
# one completes, the next handshake shows the new serial, and a session
# from the old generation resumes in the new one.
printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
    openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
    -sess_out "$dir/sess.old" -ign_eof >/dev/null 2>&1
https --limit-rate 1M -o "$dir/slow.out" https://a.test:$tport/big.bin &
slow=$!
sleep 1
cert a 12289
if "$FORKHTTPD_BIN" -f "$dir/forkhttpd.conf" -s reload >"$dir/reload.out" 2>&1; then
	ok "reload with a new certificate"
else
	ko "reload failed: $(cat "$dir/reload.out")"
fi
check "$(serial -servername a.test)" "serial=3001" "after the reload: the new serial"
printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
    openssl s_client -connect "127.0.0.1:$tport" -servername a.test \
    -sess_in "$dir/sess.old" -ign_eof 2>/dev/null | grep -q '^Reused,' &&
    ok "a session of the old generation resumes in the new one" ||
    ko "no resumption across the reload"
wait $slow
cmp -s "$dir/slow.out" "$dir/htdocs/big.bin" &&
    ok "the download in flight during the reload completed" ||
    ko "the download in flight was cut ($(wc -c <"$dir/slow.out") bytes)"

# 10. A reload with a broken key is refused, naming the file; the old
# certificate goes on.
cp "$pki/b.key" "$pki/a.key.bad"
sed -i "s|pki/a.key|pki/a.key.bad|" "$dir/forkhttpd.conf"
if "$FORKHTTPD_BIN" -f "$dir/forkhttpd.conf" -s reload >"$dir/reload.out" 2>&1; then
	ko "a reload with a mismatched key was accepted"
else
	grep -q "a.key.bad" "$dir/reload.out" "$dir/error.log" &&
	    ok "a reload with a mismatched key refused, naming the file" ||
	    ko "refused without naming the file: $(cat "$dir/reload.out")"
fi
check "$(serial -servername a.test)" "serial=3001" "... and the old generation serves"
sed -i "s|pki/a.key.bad|pki/missing.key|" "$dir/forkhttpd.conf"
if "$FORKHTTPD_BIN" -f "$dir/forkhttpd.conf" -s reload >"$dir/reload.out" 2>&1; then
	ko "a reload with a missing key was accepted"
else
	grep -q "missing.key" "$dir/reload.out" "$dir/error.log" &&
	    ok "a reload with a missing key refused, naming the file" ||
	    ko "refused without naming the file: $(cat "$dir/reload.out")"
fi
sed -i "s|pki/missing.key|pki/a.key|; s|^workers = 4|workers = 1|" \
    "$dir/forkhttpd.conf"
"$FORKHTTPD_BIN" -f "$dir/forkhttpd.conf" -s reload >/dev/null 2>&1 ||
    ko "reload to one worker failed"

# 11. One worker; a client sends half a ClientHello and stalls.  A new
# client is served within 1 s meanwhile, and the staller is dropped at
# header-timeout (3 s), with the handshake failure at info.
# The worker must not spin meanwhile: it uses well under a second of CPU
# over the staller's 3 s.
worker=
i=0
while [ $i -lt 50 ]; do
	worker=$(pgrep -P "$pid" | head -n 1)
	[ -n "$worker" ] && [ "$(pgrep -P "$pid" | wc -l)" -eq 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
python3 - "$tport" "$pki/ca.crt" "$worker" <<'EOF' && ok "a stalled half ClientHello: others served in < 1 s, it dropped at header-timeout, the worker idle meanwhile" || ko "stalled half ClientHello"
import socket, ssl, sys, time
port = int(sys.argv[1])
def cpu():
    with open("/proc/%s/stat" % sys.argv[3]) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / float(__import__("os").sysconf("SC_CLK_TCK"))
c0 = cpu()
ctx = ssl.create_default_context(cafile=sys.argv[2])
# A real ClientHello, cut in half.
inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inb, outb, server_hostname="a.test")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = outb.read()
stall = socket.create_connection(("127.0.0.1", port))
stall.sendall(hello[:len(hello) // 2])
t0 = time.monotonic()
time.sleep(0.3)
with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
    with ctx.wrap_socket(s, server_hostname="a.test") as t:
        t.sendall(b"GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = t.recv(4096)
            if not b:
                break
            data += b
if not data.startswith(b"HTTP/1.1 200") or time.monotonic() - t0 > 1.3:
    print("fresh client not served in time", data[:40], file=sys.stderr)
    sys.exit(1)
stall.settimeout(8)
try:
    left = stall.recv(100)
except ConnectionResetError:
    left = b""
took = time.monotonic() - t0
if left != b"" or took < 2 or took > 6:
    print("staller: %r after %.1f s" % (left, took), file=sys.stderr)
    sys.exit(1)
if cpu() - c0 > 0.5:
    print("the worker used %.2f s of CPU while the staller waited"
        % (cpu() - c0), file=sys.stderr)
    sys.exit(1)
EOF

finish
