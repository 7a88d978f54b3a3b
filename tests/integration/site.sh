# SPDX-License-Identifier: BSD-2-Clause
# site.sh - sourced by the shell integration tests: starts the real binary
# serving the sample site (htdocs/) on a free 127.0.0.1 port, in a scratch
# directory, and stops it on exit.  Sets pid, port, base (the URL), dir
# (the scratch directory, with access.log and error.log), htdocs; gives
# ok/ko to count checks and finish to print "N passed, N failed" and exit;
# c runs curl with a time limit.  The server's life (scratch directory,
# port, start, stop) is tests/lib/server.sh's.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_SRCDIR,
# FORKHTTPD_BUILDDIR.  Everything talks to 127.0.0.1 only and is bounded
# in time.

: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_SRCDIR:=.}"
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

if ! command -v curl >/dev/null 2>&1; then
	echo "site.sh: curl is not installed (apt-get install curl)" >&2
	ko "curl is missing"
	finish
fi
if [ ! -x "$FORKHTTPD_BIN" ]; then
	ko "$FORKHTTPD_BIN is not executable"
	finish
fi
htdocs=$(cd "$FORKHTTPD_SRCDIR/htdocs" 2>/dev/null && pwd) || {
	ko "no $FORKHTTPD_SRCDIR/htdocs"
	finish
}
if [ ! -f "$htdocs/index.html" ]; then
	ko "no $htdocs/index.html"
	finish
fi

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"

server_scratch site || exit 1
cleanup() { server_cleanup site.sh "$fail"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 5 "$@"; }

# The probe: whatever HTTP answer comes on port $1.
site_answers() { c -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }

# The conf for port $1.  The workers drop to nobody when run as root; as
# anyone else the server keeps the user it was started as.
server_conf() {
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/site.sh
listen = { "127.0.0.1:$1" }
workers = 2
document-root = "$htdocs"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"
EOF
}

if ! server_start site_answers "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"
then
	ko "server did not start on 127.0.0.1:$port within 5 s"
	server_logs
	finish
fi
base="http://127.0.0.1:$port"
echo "site.sh: forkhttpd pid $pid on $base serving $htdocs"
