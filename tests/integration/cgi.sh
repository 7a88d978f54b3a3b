#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# cgi.sh - CGI scripts (cgi = true) with real clients: the real binary
# with one worker, scripts in sh and Python written here, curl.  GET with
# a query and PATH_INFO (the variables as the script sees them, a clean
# environment, the worker's user), a POSTed form, a 20 MiB upload
# streamed through stdin (the worker's peak memory stays far below it),
# a chunked upload, Status passed through with its body, Location, a
# script that hangs (504 at cgi-timeout, its process group killed and
# reaped: no child of the worker left), one whose client goes away, one
# that writes to stderr (the error log, tagged), httpoxy, names with '_',
# a missing script, a non-executable one, an alias route, a regex route
# against the "x.jpg/y.cgi" path, and a static file answered at once
# while a slow script holds the only worker.  Exit 0 if every check
# passed, 1 otherwise.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_BUILDDIR.
# Everything talks to 127.0.0.1 only and is bounded in time.

set -u
: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_BIN:=$FORKHTTPD_BUILDDIR/src/forkhttpd}"

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	if [ "$fail" -eq 0 ]; then exit 0; fi
	exit 1
}

for tool in curl python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		ko "$tool is not installed"
		finish
	fi
done
if [ ! -x "$FORKHTTPD_BIN" ]; then
	ko "$FORKHTTPD_BIN is not executable"
	finish
fi

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"

server_scratch cgi || exit 1
bg=
cleanup() {
	# shellcheck disable=SC2086	# the background curls, if any
	[ -n "$bg" ] && kill $bg 2>/dev/null
	server_cleanup cgi.sh "$fail"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 10 "$@"; }

# ---------------------------------------------------------------- the site

mkdir -p "$dir/www/cgi-bin/sub" "$dir/www/up" "$dir/bin" "$dir/www/app" \
    "$dir/www/plain"
echo "static" >"$dir/www/index.html"
# A directory whose first index file is a script (index.cgi, a .cgi
# route's), and one whose first is a plain file.
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\n"\nenv | LC_ALL=C sort\n' \
    >"$dir/www/app/index.cgi"
echo "app static index" >"$dir/www/app/index.html"
echo "plain index" >"$dir/www/plain/index.html"
cp "$dir/www/app/index.cgi" "$dir/www/plain/index.cgi"
# A site whose paths with no file go to its script (pretty permalinks).
mkdir -p "$dir/www/blog"
cp "$dir/www/app/index.cgi" "$dir/www/blog/index.cgi"
echo "a style sheet" >"$dir/www/blog/style.css"

# env.sh: the environment, sorted, and the body it was given.
cat >"$dir/www/cgi-bin/env.sh" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\nX-Script: env\r\n\r\n'
env | LC_ALL=C sort
echo "uid=$(id -u)"
echo "cwd=$(pwd)"
if [ "$REQUEST_METHOD" = POST ]; then printf 'body='; cat; echo; fi
EOF
# form.py: a POSTed form, parsed.
cat >"$dir/www/cgi-bin/form.py" <<'EOF'
#!/usr/bin/env python3
import os, sys, urllib.parse
n = int(os.environ.get("CONTENT_LENGTH", "0"))
form = urllib.parse.parse_qs(sys.stdin.read(n))
sys.stdout.write("Content-Type: text/plain\n\n")
for k in sorted(form):
    sys.stdout.write("%s=%s\n" % (k, ",".join(form[k])))
EOF
# sum.py: the length and SHA-256 of stdin, read to EOF in pieces.
cat >"$dir/www/cgi-bin/sum.py" <<'EOF'
#!/usr/bin/env python3
import hashlib, os, sys
h = hashlib.sha256()
n = 0
while True:
    b = sys.stdin.buffer.read(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
sys.stdout.write("Content-Type: text/plain\n\n%d %s %s\n" %
                 (n, h.hexdigest(), os.environ.get("CONTENT_LENGTH", "-")))
EOF
# noread.sh: answers at once, reads nothing, ends a second later.
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nanswered\\n"\nsleep 1\n' \
    >"$dir/www/cgi-bin/noread.sh"
cat >"$dir/www/cgi-bin/notfound.py" <<'EOF'
#!/usr/bin/env python3
import sys
sys.stdout.write("Status: 404 Not Here\r\nContent-Type: text/plain\r\n\r\n"
                 "the app's own 404\n")
EOF
printf '#!/bin/sh\nprintf "Location: https://example.org/away\\n\\n"\n' \
    >"$dir/www/cgi-bin/away.sh"
printf '#!/bin/sh\nprintf "Location: /index.html\\n\\n"\n' \
    >"$dir/www/cgi-bin/local.sh"
printf '#!/bin/sh\nprintf "Status: 301 Moved\\nLocation: /x\\n\\n"\n' \
    >"$dir/www/cgi-bin/moved.sh"
# chain.sh: a local redirect to the next script, then to env.sh with a
# query; loop.sh: to itself, for ever.
printf '#!/bin/sh\nprintf "Location: /cgi-bin/env.sh?via=chain\\n\\n"\n' \
    >"$dir/www/cgi-bin/chain.sh"
printf '#!/bin/sh\nprintf "Location: /cgi-bin/loop.sh\\n\\n"\n' \
    >"$dir/www/cgi-bin/loop.sh"
# hang.sh: a grandchild in its group, then silence.
cat >"$dir/www/cgi-bin/hang.sh" <<EOF
#!/bin/sh
sleep 300 &
echo \$! >"$dir/run/hang.grandchild"
echo \$\$ >"$dir/run/hang.pid"
wait
EOF
cat >"$dir/www/cgi-bin/slow.sh" <<'EOF'
#!/bin/sh
sleep 2
printf 'Content-Type: text/plain\n\nslow\n'
EOF
cat >"$dir/www/cgi-bin/err.sh" <<'EOF'
#!/bin/sh
echo "cgi-stderr-marker one" >&2
printf 'Content-Type: text/plain\n\nok\n'
EOF
printf 'Content-Type: text/plain\n\nnot executable\n' \
    >"$dir/www/cgi-bin/noexec.sh"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\ndeep $PATH_INFO\\n"\n' \
    >"$dir/www/cgi-bin/sub/deep.sh"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nalias $SCRIPT_NAME\\n"\n' \
    >"$dir/bin/a.sh"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nran\\n"\n' \
    >"$dir/www/up/x.jpg"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nreal\\n"\n' \
    >"$dir/www/up/real.cgi"
chmod -R a+rX "$dir"
chmod a+x "$dir"/www/app/index.cgi "$dir"/www/plain/index.cgi \
    "$dir"/www/blog/index.cgi
chmod a+x "$dir"/www/cgi-bin/*.sh "$dir"/www/cgi-bin/*.py \
    "$dir/www/cgi-bin/sub/deep.sh" "$dir/bin/a.sh" "$dir/www/up/x.jpg" \
    "$dir/www/up/real.cgi"
chmod a-x "$dir/www/cgi-bin/noexec.sh"
# hang.sh writes its pids here, as whoever the worker runs as.
mkdir "$dir/run"
chmod 0777 "$dir/run"
head -c 20971520 /dev/urandom >"$dir/big.bin"
big_sum=$(sha256sum "$dir/big.bin" | cut -d' ' -f1)

server_conf() {
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/cgi.sh
listen = { "127.0.0.1:$1" }
workers = 1
document-root = "www"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"
cgi-timeout = 3
body-max = 67108864

server "localhost" {
    default = true
    route "/cgi-bin/" { cgi = true }
    route "/alias-bin/" { cgi = true  alias = "$dir/bin/" }
    route "~ \\\\.cgi$" { cgi = true }
    route "/app/" { index = { "index.cgi", "index.html" } }
    route "/plain/" { index = { "index.html", "index.cgi" } }
    route "/blog/" { fallback = "/blog/index.cgi" }
}
EOF
}

probe() { c -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }

# Nothing of the server's own environment may reach a script.
export CGI_SH_LEAK=leaked
if ! server_start probe "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"; then
	ko "server did not start on 127.0.0.1:$port within 5 s"
	server_logs
	finish
fi
unset CGI_SH_LEAK
base="http://127.0.0.1:$port"
worker=$(pgrep -P "$pid" | head -n 1)
echo "cgi.sh: forkhttpd pid $pid (worker $worker) on $base, scratch $dir"

# ---------------------------------------------------------------- helpers

get() {
	: >"$dir/h"
	: >"$dir/b"
	code=$(c -D "$dir/h" -o "$dir/b" -w '%{http_code}' "$@")
}

field() {
	tr -d '\r' <"$dir/h" | sed -n "s/^$1: *//Ip" | head -n 1
}

want() {
	if [ "$code" != "$2" ]; then
		ko "$1: status $code, want $2"
		return 1
	fi
	if [ $# -ge 3 ] && [ "$(cat "$dir/b")" != "$3" ]; then
		ko "$1: body \"$(head -c 200 "$dir/b")\", want \"$3\""
		return 1
	fi
	ok "$1: $code${3:+ \"$3\"}"
}

# has WHAT LINE: the body has the line LINE, whole.
has() {
	if grep -qxF -- "$2" "$dir/b"; then
		ok "$1: $2"
	else
		ko "$1: no line \"$2\" in: $(head -c 600 "$dir/b")"
	fi
}

# lacks WHAT TEXT: no line of the body starts with TEXT.
lacks() {
	if grep -q "^$2" "$dir/b"; then
		ko "$1: $(grep "^$2" "$dir/b" | head -n 1)"
	else
		ok "$1: no $2"
	fi
}

# children PID: the pids whose parent is PID, zombies included (the
# worker has one thread).
children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null || echo "(no $1)"
}

# gone WHAT PID...: within 3 s, none of the pids exists (zombies count).
gone() {
	what=$1
	shift
	i=0
	while [ $i -lt 30 ]; do
		left=
		for p in "$@"; do
			[ -d "/proc/$p" ] && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$left" ]; then
		ok "$what"
	else
		ko "$what: still there:$left"
	fi
}

# no_children WHAT: within 3 s, the worker has no child (none a zombie).
no_children() {
	i=0
	while [ $i -lt 30 ] && [ -n "$(children "$worker")" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kids=$(children "$worker")
	if [ -z "$kids" ]; then
		ok "$1: the worker has no child left"
	else
		ko "$1: children of the worker: $kids"
	fi
}

# ---------------------------------------------------------------- GET

get -H "Proxy: http://evil.example:3128/" -H "X_Foo: under" \
    -H "X-Foo: dash" "$base/cgi-bin/env.sh/extra/path?a=1&b=two%20words"
want "GET with a query and PATH_INFO" 200
[ "$(field X-Script)" = env ] && ok "the script's own field passes" ||
    ko "X-Script: \"$(field X-Script)\""
[ "$(field Content-Type)" = text/plain ] && ok "Content-Type text/plain" ||
    ko "Content-Type: \"$(field Content-Type)\""
has "QUERY_STRING" "QUERY_STRING=a=1&b=two%20words"
has "REQUEST_METHOD" "REQUEST_METHOD=GET"
has "REQUEST_URI" "REQUEST_URI=/cgi-bin/env.sh/extra/path?a=1&b=two%20words"
has "SCRIPT_NAME" "SCRIPT_NAME=/cgi-bin/env.sh"
has "SCRIPT_FILENAME" "SCRIPT_FILENAME=$dir/www/cgi-bin/env.sh"
has "PATH_INFO" "PATH_INFO=/extra/path"
has "PATH_TRANSLATED" "PATH_TRANSLATED=$dir/www/extra/path"
has "DOCUMENT_ROOT" "DOCUMENT_ROOT=$dir/www"
has "GATEWAY_INTERFACE" "GATEWAY_INTERFACE=CGI/1.1"
has "SERVER_PROTOCOL" "SERVER_PROTOCOL=HTTP/1.1"
has "SERVER_PORT" "SERVER_PORT=$port"
has "SERVER_ADDR" "SERVER_ADDR=127.0.0.1"
has "SERVER_NAME" "SERVER_NAME=127.0.0.1"
has "REMOTE_ADDR" "REMOTE_ADDR=127.0.0.1"
has "HTTP_HOST" "HTTP_HOST=127.0.0.1:$port"
has "cwd: the script's directory" "cwd=$dir/www/cgi-bin"
lacks "httpoxy" "HTTP_PROXY="
has "X-Foo is passed" "HTTP_X_FOO=dash"
lacks "the server's environment" "CGI_SH_LEAK="
if grep -q "under" "$dir/b"; then
	ko "X_Foo reached the script: $(grep under "$dir/b")"
else
	ok "X_Foo is not passed (it would alias X-Foo)"
fi
if [ "$(id -u)" -eq 0 ]; then
	has "the worker's user" "uid=$(id -u nobody)"
fi

get "$base/cgi-bin/sub/deep.sh/x/y"
want "a script in a subdirectory, PATH_INFO after it" 200 "deep /x/y"
get "$base/alias-bin/a.sh"
want "an alias route" 200 "alias /alias-bin/a.sh"
get "$base/up/real.cgi"
want "a regex route" 200 "real"
get "$base/up/x.jpg/y.cgi"
want "x.jpg/y.cgi under a regex route runs nothing" 404
get "$base/cgi-bin/none.sh"
want "a missing script" 404
get "$base/cgi-bin/none.sh/x"
want "a missing script with PATH_INFO" 404
get "$base/cgi-bin/"
want "the directory itself" 404
get "$base/cgi-bin/noexec.sh"
want "a file that is not executable" 403
get -I "$base/cgi-bin/env.sh"
want "HEAD" 200

# ---------------------------------------------------------------- bodies

get --data "name=Ada+Lovelace&lang=en&lang=fr" "$base/cgi-bin/form.py"
want "POST of a form" 200 "$(printf 'lang=en,fr\nname=Ada Lovelace')"
get --data-binary "raw body" "$base/cgi-bin/env.sh"
has "POST: CONTENT_LENGTH" "CONTENT_LENGTH=8"
has "POST: CONTENT_TYPE" "CONTENT_TYPE=application/x-www-form-urlencoded"
has "POST: the body on stdin" "body=raw body"
lacks "POST: no HTTP_CONTENT_LENGTH" "HTTP_CONTENT_LENGTH="

hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$worker/status"; }
before=$(hwm)
get --data-binary "@$dir/big.bin" "$base/cgi-bin/sum.py"
want "a 20 MiB upload" 200 "20971520 $big_sum 20971520"
after=$(hwm)
if [ -n "$before" ] && [ -n "$after" ] &&
    [ $((after - before)) -lt 8192 ]; then
	ok "the upload was streamed: the worker's peak grew by $((after - before)) KiB"
else
	ko "the worker's peak memory went from ${before:-?} to ${after:-?} KiB"
fi
get -H "Transfer-Encoding: chunked" --data-binary "@$dir/big.bin" \
    "$base/cgi-bin/sum.py"
want "a chunked 20 MiB upload (no CONTENT_LENGTH, read to EOF)" 200 \
    "20971520 $big_sum -"
get --data-binary "@$dir/big.bin" "$base/cgi-bin/notfound.py"
want "a script that does not read its body answers whole" 404 \
    "the app's own 404"
# The answer goes out while the client is still sending: the rest of
# the body is read and dropped, not cut with a reset (which would cost
# the client the answer).
get --data-binary "@$dir/big.bin" "$base/cgi-bin/noread.sh"
want "an answer before the body's end: the client sends it all, and reads it" \
    200 "answered"

# ---------------------------------------------------------------- heads

get "$base/cgi-bin/notfound.py"
want "Status: 404 passed through with its body" 404 "the app's own 404"
if tr -d '\r' <"$dir/h" | head -n 1 | grep -qx "HTTP/1.1 404 Not Here"; then
	ok "the script's reason phrase"
else
	ko "status line: $(head -n 1 "$dir/h")"
fi
get "$base/cgi-bin/away.sh"
want "Location with a URL" 302
[ "$(field Location)" = "https://example.org/away" ] &&
    ok "Location: https://example.org/away" ||
    ko "Location: \"$(field Location)\""
get "$base/cgi-bin/local.sh"
want "Location with a local path: the server answers it (RFC 3875 6.2.2)" \
    200 "static"
[ -z "$(field Location)" ] && ok "no Location to the client" ||
    ko "Location: \"$(field Location)\""
get --data-binary "x=1" "$base/cgi-bin/chain.sh"
has "a local redirect after a POST is a GET" "REQUEST_METHOD=GET"
has "with the redirect's query" "QUERY_STRING=via=chain"
lacks "and no body" "CONTENT_LENGTH=1"
get "$base/cgi-bin/loop.sh"
want "a local redirect loop ends: the client gets the 6th as a 302" 302
[ "$(field Location)" = "/cgi-bin/loop.sh" ] &&
    ok "Location: /cgi-bin/loop.sh" ||
    ko "Location: \"$(field Location)\""
get "$base/cgi-bin/moved.sh"
want "Status 301 with a Location" 301

# ---------------------------------------------------------------- index

get "$base/app/?q=1"
want "a directory whose index is a script runs it" 200
has "... as SCRIPT_NAME" "SCRIPT_NAME=/app/index.cgi"
has "... with the request's URI" "REQUEST_URI=/app/?q=1"
has "... and query" "QUERY_STRING=q=1"
if grep -q '^#!/bin/sh' "$dir/b"; then
	ko "the index script's source was sent"
else
	ok "the index script's source is never sent"
fi
get "$base/plain/"
want "a directory whose first index is a plain file sends it" 200 \
    "plain index"

# ---------------------------------------------------------------- fallback

get "$base/blog/2026/12/hello-world/?x=1"
want "a path with no file goes to the fallback script" 200
has "... which runs as itself" "SCRIPT_NAME=/blog/index.cgi"
has "... and sees the request's URI" \
    "REQUEST_URI=/blog/2026/12/hello-world/?x=1"
get --data-binary "a=1" "$base/blog/wp-json/v2/x"
has "a POST to a path with no file goes there too" "REQUEST_METHOD=POST"
get "$base/blog/style.css"
want "a file that exists is served as it is" 200 "a style sheet"
get "$base/nothing-here"
want "no fallback outside its route: 404" 404

# ---------------------------------------------------------------- stderr

get "$base/cgi-bin/err.sh"
want "a script writing to stderr" 200 "ok"
i=0
while [ $i -lt 30 ] && ! grep -q "cgi-stderr-marker" "$dir/error.log"; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q "cgi /cgi-bin/err.sh: stderr: cgi-stderr-marker one" \
    "$dir/error.log"; then
	ok "stderr in the error log, tagged with the script"
else
	ko "stderr: $(grep cgi-stderr "$dir/error.log")"
fi

# ---------------------------------------------------------------- ends

rm -f "$dir/run/hang.pid" "$dir/run/hang.grandchild"
start=$(date +%s%N)
get "$base/cgi-bin/hang.sh"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
want "a script that hangs" 504
if [ "$ms" -ge 2800 ] && [ "$ms" -lt 5500 ]; then
	ok "killed at cgi-timeout (3 s): ${ms} ms"
else
	ko "a hung script answered after ${ms} ms, cgi-timeout is 3 s"
fi
if [ -s "$dir/run/hang.pid" ] && [ -s "$dir/run/hang.grandchild" ]; then
	gone "the hung script and its own child are gone" \
	    "$(cat "$dir/run/hang.pid")" "$(cat "$dir/run/hang.grandchild")"
else
	ko "hang.sh did not write its pids"
fi
no_children "after the timeout"

rm -f "$dir/run/hang.pid" "$dir/run/hang.grandchild"
c -o /dev/null --max-time 0.5 "$base/cgi-bin/hang.sh"
i=0
while [ $i -lt 30 ] && [ ! -s "$dir/run/hang.grandchild" ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -s "$dir/run/hang.pid" ] && [ -s "$dir/run/hang.grandchild" ]; then
	gone "a client that went away: the script and its child are gone" \
	    "$(cat "$dir/run/hang.pid")" "$(cat "$dir/run/hang.grandchild")"
else
	ko "hang.sh did not write its pids"
fi
no_children "after the client went away"

# ---------------------------------------------------------------- one worker

c -o "$dir/slow.out" "$base/cgi-bin/slow.sh" &
bg=$!
# The script has started once it is a child of the worker.
i=0
while [ $i -lt 30 ] && [ -z "$(children "$worker")" ]; do
	sleep 0.1
	i=$((i + 1))
done
t=$(c -o /dev/null -w '%{time_total}' "$base/index.html")
if [ -n "$(children "$worker")" ] &&
    awk -v t="$t" 'BEGIN { exit !(t < 0.5) }'; then
	ok "a static file while a slow script runs (workers = 1): ${t} s"
else
	ko "a static file took ${t} s beside a slow script"
fi
wait "$bg"
bg=
if [ "$(cat "$dir/slow.out" 2>/dev/null)" = "slow" ]; then
	ok "the slow script answered"
else
	ko "the slow script: \"$(cat "$dir/slow.out" 2>/dev/null)\""
fi
no_children "after the slow script"

finish
