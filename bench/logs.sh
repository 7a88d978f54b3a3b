#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/logs.sh - 8 workers write the access log under load: are all the
# lines there, each whole, none interleaved with another or cut?
#
# forkhttpd with 8 workers and the default access log (combined), driven
# by wrk (2 threads, 64 connections) until LOGS_LINES responses (default
# 1000000) or LOGS_SECONDS (default 600) have passed, whichever comes
# first.  Every request is unique (/index.html?n=THREAD-I) and every
# 100th carries a 6000-byte User-Agent, so some lines are longer than
# PIPE_BUF.  Then python3 checks every line: combined log format, the
# User-Agent its request sent (whole), no request twice; and reports the
# rate.  It installs nothing and builds nothing, binds 127.0.0.1 only,
# and stops exactly the processes it started.
#
#   bench/logs.sh [--keep]      LOGS_LINES=200000 bench/logs.sh

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

lines=${LOGS_LINES:-1000000}
seconds=${LOGS_SECONDS:-600}
keep=0
[ "${1:-}" = --keep ] && keep=1
[ "${1:-}" = -h ] || [ "${1:-}" = --help ] && {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
}
check_positive lines:LOGS_LINES seconds:LOGS_SECONDS
for t in wrk python3; do
	command -v $t >/dev/null 2>&1 || die "$t is missing: apt-get install -y $t"
done
find_forkhttpd

tmp=
master=
cleanup()
{
	[ -n "$master" ] && stop_tree "$master" && wait "$master" 2>/dev/null
	remove_tmp
}
arm_cleanup
make_tmp logs
pick_runuser
doc=$top/htdocs
port=$(free_port)
write_forkhttpd_conf "$port" 8 "keepalive-requests = 1000000"
sed -i "s|^access-log = .*|access-log = \"$tmp/access.log\"|" \
    "$tmp/forkhttpd.conf"
spawn_forkhttpd
master=$!
for _ in $(seq 50); do
	curl --noproxy '*' -s -o /dev/null --max-time 1 \
	    "http://127.0.0.1:$port/" && break
	sleep 0.1
done

# Each wrk thread stops itself after its share of responses.
cat >"$tmp/logs.lua" <<'EOF'
local n = 0
function setup(thread)
	thread:set("id", n)
	n = n + 1
end
local count, done, limit = 0, 0, 0
local long = string.rep("x", 6000)
function init(args)
	limit = tonumber(args[1])
end
function request()
	count = count + 1
	local ua = "short-" .. id
	if count % 100 == 0 then
		ua = "long-" .. id .. "-" .. long
	end
	return wrk.format("GET", "/index.html?n=" .. id .. "-" .. count,
	    { ["User-Agent"] = ua })
end
function response(status, headers, body)
	done = done + 1
	if done >= limit then
		wrk.thread:stop()
	end
end
EOF
# wrk runs for -d whatever its threads do: once they have stopped (the
# log stops growing) or the count is there, it gets INT, and reports.
start=$(date +%s.%N)
timeout $((seconds + 10)) wrk -t2 -c64 -d"${seconds}s" -s "$tmp/logs.lua" \
    "http://127.0.0.1:$port/" -- $((lines / 2)) >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
prev=-1
while kill -0 "$wrk_pid" 2>/dev/null; do
	sleep 1
	now=$(wc -l <"$tmp/access.log")
	if [ "$now" -gt "$lines" ] || [ "$now" = "$prev" ]; then
		for w in $(pgrep -P "$wrk_pid"); do
			kill -INT "$w"
		done
		break
	fi
	prev=$now
done
wait "$wrk_pid"
end=$(date +%s.%N)
# The last lines follow their responses by a moment.
prev=-1
while :; do
	now=$(wc -l <"$tmp/access.log")
	[ "$now" = "$prev" ] && break
	prev=$now
	sleep 0.5
done
stop_tree "$master"
wait "$master" 2>/dev/null
master=

describe_forkhttpd 8
grep -E "requests in|Requests/sec" "$tmp/wrk.out"
python3 - "$tmp/access.log" "$start" "$end" <<'EOF'
import re, sys
path, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
q = rb'"((?:[^"\\]|\\.)*)"'
line_re = re.compile(rb'^(\S+) - - \[[^\]]+\] ' + q + rb' (\d{3}) (\d+|-) ' +
                     q + b' ' + q + b'\n$')
req_re = re.compile(rb'GET /index\.html\?n=(\d+)-(\d+) HTTP/1\.1$')
long = b'x' * 6000
total = bad = longs = dup = 0
seen = set()
with open(path, 'rb') as f:
    for line in f:
        total += 1
        m = line_re.match(line)
        r = m and req_re.match(m.group(2))
        if not r:
            if not (m and m.group(2) == b'GET / HTTP/1.1'):   # the probe
                bad += 1
                if bad < 5:
                    print('bad line:', line[:160])
            continue
        t, i = r.group(1), int(r.group(2))
        ua = m.group(6)
        want = (b'long-' + t + b'-' + long if i % 100 == 0
                else b'short-' + t)
        if ua != want:
            bad += 1
            if bad < 5:
                print('wrong User-Agent:', line[:160])
        longs += i % 100 == 0
        key = (t, i)
        dup += key in seen
        seen.add(key)
print('%d lines (%d longer than PIPE_BUF) in %.1f s: %d malformed, cut '
      'or interleaved; %d twice' % (total, longs, end - start, bad, dup))
sys.exit(0 if bad == 0 and dup == 0 else 1)
EOF
rc=$?
ls -l "$tmp/access.log" | awk '{ print "access.log: " $5 " bytes" }'
exit $rc
