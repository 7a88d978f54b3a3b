#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# logs.sh - the access log from the real binary under real clients.
#   1. combined (the default), 8 workers: hostile values (quotes,
#      backslashes, UTF-8 and Latin-1 bytes), then 20000 requests from 8
#      curl processes at once: every line must be whole, none cut or
#      interleaved, and goaccess must parse the file with 0 failures.
#      Then a rotation (rename, USR1: the workers take the master's new
#      descriptors) and 4000 more with a 6000-byte User-Agent, lines
#      longer than PIPE_BUF, just as whole.  Started as root, the files
#      are root:adm 0640 (log-owner, log-group, log-mode) though the
#      workers run as nobody.
#   2. json: every line must parse with python3's json module, and the
#      escapes must give the bytes back.
# Exit 0 if every check passed, 1 otherwise.  Bounded: each client run
# has a time limit, each wait a deadline.

set -u
: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_SRCDIR:=.}"
: "${FORKHTTPD_BIN:=$FORKHTTPD_BUILDDIR/src/forkhttpd}"

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

for tool in curl python3 goaccess; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		ko "$tool is not installed (see quickstart.sh's packages)"
		finish
	fi
done
htdocs=$(cd "$FORKHTTPD_SRCDIR/htdocs" && pwd) || { ko "no htdocs"; finish; }

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"
server_scratch logs || exit 1
cleanup() { server_cleanup logs.sh "$fail"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 5 "$@"; }
answers() { c -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }

extra=
server_conf() {
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/logs.sh
listen = { "127.0.0.1:$1" }
workers = 8
document-root = "$htdocs"
pid-file = "forkhttpd.pid"
error-log = "error.log"
user = "nobody"
keepalive-requests = 10000
$extra
EOF
}

start() {
	if ! server_start answers "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"
	then
		ko "the server did not start"
		server_logs
		finish
	fi
	base="http://127.0.0.1:$port"
}

# wait_lines FILE N: up to 10 s for FILE to have N lines (a worker logs
# a response once it is out, so the client may see it first).
wait_lines() {
	i=0
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ] &&
	    [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(wc -l <"$1")" -eq "$2" ]
}

# The hostile requests both parts make: 5 lines, after the probe's.
hostile() {
	c -o /dev/null -A 'quote" back\slash' "$base/?q=1"
	c -o /dev/null -H "Referer: $(printf 'http://r/\303\251\377')" "$base/"
	c -o /dev/null -A "$(printf 'tab\there')" "$base/nope"
	c -o /dev/null -I "$base/"
	c -o /dev/null "$base/a%22b?x=%ff&y"
}

# ---- 1. combined, 20000 requests from 8 clients ------------------------

# load TAG N LONG: 8 curl processes at once, N requests each for
# /index.html?n=K-I (K the client, I the request); with LONG, a 6000-byte
# User-Agent ("long-K-xxx..."), else "short-K".  Each has 120 s at most.
load() {
	k=0
	pids=
	while [ $k -lt 8 ]; do
		i=0
		while [ $i -lt "$2" ]; do
			printf 'url = "%s/index.html?n=%d-%d"\n' "$base" "$k" "$i"
			printf 'output = "/dev/null"\n'
			i=$((i + 1))
		done >"$dir/curl-$1-$k.conf"
		if [ "$3" = long ]; then
			agent="long-$k-$(head -c 6000 /dev/zero | tr '\0' x)"
		else
			agent="short-$k"
		fi
		timeout 120 curl --noproxy '*' --silent --max-time 120 \
		    -A "$agent" -K "$dir/curl-$1-$k.conf" &
		pids="$pids $!"
		k=$((k + 1))
	done
	for p in $pids; do
		wait "$p" || ko "a curl client failed or timed out (exit $?)"
	done
}

# check_lines FILE N LONG: every line of FILE is combined log format and
# whole, and the 8 * N load requests are there once each, with their own
# User-Agent, whole.
check_lines() {
	python3 - "$@" <<'EOF'
import re, sys
path, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
q = r'"((?:[^"\\]|\\.)*)"'
line_re = re.compile(r'^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d '
                     r'[+-]\d{4})\] ' + q + r' (\d{3}) (\d+|-) ' + q + ' ' +
                     q + r'$')
bad, seen = 0, set()
with open(path, 'rb') as f:
    for raw in f:
        line = raw.decode('ascii')          # every byte escaped: ASCII only
        m = line_re.match(line.rstrip('\n'))
        if not m or '\r' in line:
            bad += 1
            if bad < 5:
                print('bad line:', line[:200])
            continue
        r = re.match(r'GET /index\.html\?n=(\d+)-(\d+) HTTP/1\.1$',
                     m.group(3))
        if not r:
            continue
        k = r.group(1)
        want = ('long-%s-' % k + 'x' * 6000 if kind == 'long'
                else 'short-%s' % k)
        if m.group(7) != want:
            bad += 1
            print('cut or mixed User-Agent in', line[:120])
        seen.add((int(k), int(r.group(2))))
want = {(k, i) for k in range(8) for i in range(n)}
print('%s: %d bad lines, %d of %d requests logged' %
      (path, bad, len(seen & want), len(want)))
sys.exit(0 if bad == 0 and seen == want else 1)
EOF
}

# Does any of the server's processes hold FILE (a renamed log) open?
holds() {
	for p in $pid $(pgrep -P "$pid"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q " $1\$" && return 0
	done
	return 1
}

extra='access-log = "access.log"'
start
hostile
n=2500
load short $n short
want=$((6 + 8 * n))	# the start-up probe, hostile, the load
if wait_lines "$dir/access.log" $want; then
	ok "access.log has all $want lines"
else
	ko "access.log has $(wc -l <"$dir/access.log") lines, want $want"
fi
if check_lines "$dir/access.log" $n short; then
	ok "20000 requests from 8 clients: every line whole, none interleaved"
else
	ko "access.log has malformed, cut or missing lines"
fi

# The hostile values, escaped as Apache escapes them.
for want in '"GET /?q=1 HTTP/1.1" 200 ' '"quote\" back\\slash"' \
    '"http://r/\xc3\xa9\xff"' '"tab\there"' '"GET /a%22b?x=%ff&y HTTP/1.1"' \
    '"HEAD / HTTP/1.1" 200 - '; do
	if grep -qF -- "$want" "$dir/access.log"; then
		ok "access.log has $want"
	else
		ko "access.log lacks $want"
	fi
done

# goaccess reads lines of up to 4096 bytes: this log has none longer.
if goaccess "$dir/access.log" --log-format=COMBINED --no-progress \
    -o "$dir/report.json" >"$dir/goaccess.out" 2>&1 &&
    python3 - "$dir/report.json" <<'EOF'
import json, sys
# goaccess copies bytes that are not UTF-8 into its report as they are
g = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8', 'replace'))
g = g['general']
print('goaccess: %d requests, %d valid, %d failed' %
      (g['total_requests'], g['valid_requests'], g['failed_requests']))
sys.exit(0 if g['failed_requests'] == 0 and g['total_requests'] > 20000 else 1)
EOF
then
	ok "goaccess parses access.log with 0 failures"
else
	ko "goaccess failed on access.log: $(cat "$dir/goaccess.out")"
fi

# Rotate: the master reopens, the workers take its new descriptors.
mv "$dir/access.log" "$dir/access.log.1"
kill -USR1 "$pid"
i=0
while holds "$dir/access.log.1" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if holds "$dir/access.log.1"; then
	ko "5 s after USR1 a process still holds the renamed access.log"
else
	ok "after USR1 no process holds the renamed access.log"
fi

# Lines longer than PIPE_BUF: still one write each.
n2=500
load long $n2 long
if wait_lines "$dir/access.log" $((8 * n2)) &&
    check_lines "$dir/access.log" $n2 long; then
	ok "4000 lines of 6 KiB from 8 clients: whole, none interleaved"
else
	ko "the lines longer than PIPE_BUF are cut or mixed"
fi
if [ "$(wc -l <"$dir/access.log.1")" -eq $((6 + 8 * n)) ]; then
	ok "nothing went to the renamed access.log after USR1"
else
	ko "the renamed access.log changed after USR1"
fi

if [ "$(id -u)" -eq 0 ] && getent group adm >/dev/null; then
	got=$(stat -c '%U:%G %a' "$dir/access.log" "$dir/error.log" |
	    sort -u)
	if [ "$got" = "root:adm 640" ]; then
		ok "the logs are root:adm 0640 (workers run as nobody)"
	else
		ko "the logs are $got, want root:adm 640"
	fi
fi
server_term || ko "the server did not stop"

# ---- 2. json -----------------------------------------------------------

extra='access-log = "access.json"
access-log-format = "json"'
start
hostile
if wait_lines "$dir/access.json" 6; then
	ok "access.json has the 6 lines"
else
	ko "access.json has $(wc -l <"$dir/access.json") lines, want 6"
fi
if python3 - "$dir/access.json" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], 'rb')][1:]  # no probe
checks = [
    lines[0]['user_agent'] == 'quote" back\\slash',
    lines[0]['query'] == '?q=1' and lines[0]['status'] == 200,
    lines[1]['referer'] == 'http://r/\u00e9\u00ff',   # é kept, 0xff as U+00FF
    lines[2]['user_agent'] == 'tab\there' and lines[2]['status'] == 404,
    lines[3]['method'] == 'HEAD' and lines[3]['bytes'] == 0,
    lines[4]['uri'] == '/a%22b' and lines[4]['query'] == '?x=%ff&y',
    all(l['remote_user'] is None and l['protocol'] == 'HTTP/1.1' and
        isinstance(l['duration_us'], int) for l in lines),
]
print('checks:', checks)
sys.exit(0 if all(checks) else 1)
EOF
then
	ok "every access.json line parses, and the values come back"
else
	ko "access.json: $(cat "$dir/access.json")"
fi
server_term || ko "the server did not stop"
finish
