# site.sh - sourced by the shell integration tests: starts the real binary
# serving the sample site (htdocs/) on a free 127.0.0.1 port, in a scratch
# directory, and stops it on exit.  Sets pid, port, base (the URL), dir
# (the scratch directory, with access.log and error.log), htdocs; gives
# ok/ko to count checks and finish to print "N passed, N failed" and exit;
# c runs curl with a time limit.
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

mkdir -p "$FORKHTTPD_BUILDDIR/tests/tmp" || exit 1
dir=$(mktemp -d "$FORKHTTPD_BUILDDIR/tests/tmp/site.XXXXXX") || exit 1
dir=$(cd "$dir" && pwd)
# when run as root the workers drop to nobody
chmod 0755 "$dir"

pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		i=0
		while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	if [ "$fail" -eq 0 ] && [ -z "${FORKHTTPD_KEEP_TMP:-}" ]; then
		rm -rf "$dir"
	else
		echo "site.sh: kept $dir"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# A free loopback port: bind port 0 and read it back.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
	else
		# fall back to a random high port; a taken one makes the
		# server exit with "in use" and the caller tries another
		echo $(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
	fi
}

c() { curl --noproxy '*' --silent --max-time 5 "$@"; }

start() {
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/site.sh
listen = { "127.0.0.1:$port" }
workers = 2
document-root = "$htdocs"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"
EOF
	"$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf" \
	    >"$dir/stdout.log" 2>"$dir/stderr.log" </dev/null &
	pid=$!
	i=0
	while [ $i -lt 50 ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			pid=
			return 1
		fi
		if c -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

started=no
for _ in 1 2 3; do
	port=$(free_port)
	if start; then
		started=yes
		break
	fi
	if [ -n "$pid" ]; then	# alive but not answering: give up
		break
	fi
	grep -q "in use" "$dir/stderr.log" "$dir/error.log" 2>/dev/null || break
done
if [ "$started" != yes ]; then
	ko "server did not start on 127.0.0.1:$port within 5 s"
	echo "--- stderr:"; cat "$dir/stderr.log" 2>/dev/null
	echo "--- error.log:"; cat "$dir/error.log" 2>/dev/null
	finish
fi
base="http://127.0.0.1:$port"
echo "site.sh: forkhttpd pid $pid on $base serving $htdocs"
