#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# syslog.sh - both logs to syslog(3) from the real binary: error-log
# "syslog:local1", access-log "syslog:facility=daemon,severity=notice".
# syslog(3) writes to /dev/log, so the test runs the server in a mount
# namespace of its own (unshare(1), root only) whose /dev is a directory
# of ours: the devices bound in, and /dev/log a socket this script reads.
# Nothing outside the namespace sees it.  Skipped (77) when not root or
# without unshare.  Exit 0 if every check passed, 1 otherwise.

set -u
: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_SRCDIR:=.}"
: "${FORKHTTPD_BIN:=$FORKHTTPD_BUILDDIR/src/forkhttpd}"

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare --mount --propagation private true 2>/dev/null; then
	echo "SKIP: needs root and unshare(1) for a private /dev/log"
	exit 77
fi
for tool in curl python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "FAIL: $tool is not installed"
		exit 1
	}
done
htdocs=$(cd "$FORKHTTPD_SRCDIR/htdocs" && pwd) || exit 1
bin=$(cd "$(dirname "$FORKHTTPD_BIN")" && pwd)/$(basename "$FORKHTTPD_BIN")
mkdir -p "$FORKHTTPD_BUILDDIR/tests/tmp" || exit 1
dir=$(mktemp -d "$FORKHTTPD_BUILDDIR/tests/tmp/syslog.XXXXXX") || exit 1
dir=$(cd "$dir" && pwd)
chmod 0755 "$dir"
port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

cat >"$dir/forkhttpd.conf" <<EOF
listen = { "127.0.0.1:$port" }
workers = 2
document-root = "$htdocs"
pid-file = "forkhttpd.pid"
error-log = "syslog:local1"
access-log = "syslog:facility=daemon,severity=notice"
user = "nobody"
EOF

# Inside the namespace: the devices, the socket, then /dev replaced.
cat >"$dir/inner.sh" <<'EOF'
set -u
dir=$1 bin=$2 port=$3
mkdir "$dir/dev"
for d in null zero urandom random; do
	: >"$dir/dev/$d"
	mount --bind "/dev/$d" "$dir/dev/$d" || exit 1
done
# The receiver: every datagram on a line of its own, for 20 s at most.
timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "ab", buffering=0)
open(sys.argv[2] + ".ready", "w").close()
while True:
    out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$dir/dev/log" "$dir/syslog.txt" &
rpid=$!
i=0
while [ ! -e "$dir/syslog.txt.ready" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
chmod 0666 "$dir/dev/log"
mount --bind "$dir/dev" /dev || exit 1
"$bin" -n -f "$dir/forkhttpd.conf" >"$dir/stderr.log" 2>&1 </dev/null &
spid=$!
i=0
until curl --noproxy '*' -s -o /dev/null --max-time 1 -A syslog-test \
    "http://127.0.0.1:$port/"; do
	[ $i -lt 50 ] || break
	sleep 0.1
	i=$((i + 1))
done
curl --noproxy '*' -s -o /dev/null --max-time 1 -A 'q"uote' \
    "http://127.0.0.1:$port/nope"
i=0
while ! grep -q 'nope' "$dir/syslog.txt" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$spid"
wait "$spid"
echo "server exit $?" >>"$dir/stderr.log"
kill "$rpid"
wait "$rpid" 2>/dev/null
exit 0
EOF

unshare --mount --propagation private sh "$dir/inner.sh" "$dir" "$bin" \
    "$port"

pass=0
fail=0
check() {
	if grep -qE -- "$2" "$dir/syslog.txt" 2>/dev/null; then
		pass=$((pass + 1))
		echo "PASS: $1"
	else
		fail=$((fail + 1))
		echo "FAIL: $1 (no line matching $2)"
	fi
}
# <PRI> is facility * 8 + severity: local1 = 17, daemon = 3.
check "the master's notice, local1.notice" \
    '^<141>.*forkhttpd\[[0-9]+\]: \[notice\] master: .*started'
check "an access line from a worker, daemon.notice, combined" \
    '^<29>.*forkhttpd\[[0-9]+\]: 127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 [0-9]+ "-" "syslog-test"$'
check "escaped as in a file" \
    '^<29>.*"GET /nope HTTP/1\.1" 404 [0-9]+ "-" "q\\"uote"$'
check "the stop, local1.notice" '^<141>.*\[notice\] master: stopped'
if [ -s "$dir/syslog.txt" ] && ! grep -qv '^<' "$dir/syslog.txt"; then
	pass=$((pass + 1))
	echo "PASS: nothing else on /dev/log"
else
	fail=$((fail + 1))
	echo "FAIL: syslog.txt:"
	cat "$dir/syslog.txt" "$dir/stderr.log" 2>/dev/null
fi
echo "$pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then
	rm -rf "$dir"
	exit 0
fi
echo "syslog.sh: kept $dir"
exit 1
