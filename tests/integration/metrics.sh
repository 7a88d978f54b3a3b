#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# metrics.sh - the metrics route with real clients: the real binary with
# two servers and `metrics = true` routes, curl for requests of each
# method and status class, then /metrics read back: the numbers moved by
# what was sent; deny = {"127.0.0.1"} gives 403, POST 405; a good reload,
# a failed one, and a worker killed with KILL, after each of which no
# counter is below what it was; promtool check metrics on pages taken
# under load.  Exit 0 if every check passed, 1 otherwise.
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

if ! command -v curl >/dev/null 2>&1; then
	ko "curl is not installed"
	finish
fi
if [ ! -x "$FORKHTTPD_BIN" ]; then
	ko "$FORKHTTPD_BIN is not executable"
	finish
fi

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"

server_scratch metrics || exit 1
loader=
cleanup() {
	touch "$dir/load.stop" 2>/dev/null
	# shellcheck disable=SC2086	# one or two pids
	[ -n "$loader" ] && kill $loader 2>/dev/null
	server_cleanup metrics.sh "$fail"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 5 "$@"; }

mkdir -p "$dir/a" "$dir/b"
echo "hello from a" >"$dir/a/index.html"
echo "hello from b" >"$dir/b/index.html"
chmod -R a+rX "$dir"

# The conf for port $1; $2 is the body of a route that the reload changes.
write_conf() {
	cat <<EOF
# written by tests/integration/metrics.sh
listen = { "127.0.0.1:$1" }
workers = 2
document-root = "a"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"

server "a.test" {
    default = true
    route "= /metrics" { metrics = true }
    route "= /metrics-denied" { metrics = true  deny = { "127.0.0.1" } }
    route "= /v" { respond = 200  body = "$2" }
    route "= /boom" { respond = 503 }
    route "= /moved" { redirect = "/" }
}
server "b.test" {
    document-root = "b"
}
EOF
}
server_conf() { write_conf "$1" A >"$dir/forkhttpd.conf"; }
probe() { c -o /dev/null "http://127.0.0.1:$1/"; }

if ! server_start probe "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"; then
	ko "the server did not start"
	server_logs
	finish
fi
base="http://127.0.0.1:$port"
scrapes=0

# scrape FILE: the page, checked to be 200 with the exposition format's
# Content-Type.
scrape() {
	scrapes=$((scrapes + 1))
	c -D "$dir/head" -o "$1" "$base/metrics" &&
	    head -n 1 "$dir/head" | grep -q ' 200 ' &&
	    grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' \
	    "$dir/head"
}

# val FILE SERIES: the value of the sample SERIES (name and labels).
val() {
	awk -v s="$2" '$1 == s { print $2; n++ } END { if (n != 1) exit 1 }' \
	    "$1"
}

# not_below OLD NEW: every counter sample of OLD is in NEW, not smaller.
not_below() {
	awk '
	    FNR == NR { if ($1 ~ /_total|_bucket|_sum|_count/) old[$1] = $2
		next }
	    ($1 in old) { seen[$1] = 1
		if ($2 + 0 < old[$1] + 0) { print $1 " " old[$1] " -> " $2
		    bad = 1 } }
	    END { for (k in old) if (!(k in seen)) { print k " gone"; bad = 1 }
		exit bad }' "$1" "$2"
}

R='forkhttpd_requests_total'
# rq SERVER METHOD CODE: the requests_total series of those labels.
rq() { echo "$R{server=\"$1\",method=\"$2\",code=\"$3\"}"; }

# ---------------------------------------------------------------- numbers

if scrape "$dir/m0"; then
	ok "GET /metrics: 200, text/plain; version=0.0.4"
else
	ko "GET /metrics: $(head -n 1 "$dir/head" 2>&1)"
	finish
fi
i=0
while [ $i -lt 10 ]; do
	c -o /dev/null "$base/" || ko "GET / $i"
	i=$((i + 1))
done
c -o /dev/null -H "Host: b.test" "$base/"
c -o /dev/null -H "Host: b.test" "$base/none"
c -o /dev/null -H "Host: b.test" "$base/none"
c -o /dev/null -X POST -d x "$base/"
c -o /dev/null -X POST -d x "$base/"
c -o /dev/null -X POST -d x "$base/"
c -o /dev/null -I "$base/"
c -o /dev/null "$base/boom"
c -o /dev/null "$base/moved"
c -o /dev/null -X DELETE "$base/"

# Each response is counted once its worker has logged it, which may be
# just after curl has it all: wait (5 s at most) for the last ones.
want_post=$(( $(val "$dir/m0" "$(rq a.test POST 4xx)") + 3 ))
i=0
while [ $i -lt 50 ]; do
	scrape "$dir/m1" || break
	[ "$(val "$dir/m1" "$(rq a.test other 4xx)")" -ge 1 ] &&
	    [ "$(val "$dir/m1" "$(rq a.test POST 4xx)")" -ge "$want_post" ] &&
	    break
	sleep 0.1
	i=$((i + 1))
done
# delta SERIES: how much it moved from m0 to m1.
delta() {
	echo $(( $(val "$dir/m1" "$1") - $(val "$dir/m0" "$1") ))
}
d=$(delta "$(rq a.test GET 2xx)")
# 10 GETs, and the scrapes before m1 (each counted after it is sent).
if [ "$d" -ge 10 ] && [ "$d" -le $((10 + scrapes)) ]; then
	ok "GET 2xx on a.test moved by $d (10 requests, $scrapes scrapes)"
else
	ko "GET 2xx on a.test moved by $d"
fi
for row in 'b.test GET 2xx 1' 'b.test GET 4xx 2' 'a.test POST 4xx 3' \
    'a.test HEAD 2xx 1' 'a.test GET 5xx 1' 'a.test GET 3xx 1' \
    'a.test other 4xx 1' 'b.test POST 4xx 0'; do
	# shellcheck disable=SC2086	# the row's four words
	set -- $row
	d=$(delta "$(rq "$1" "$2" "$3")")
	if [ "$d" = "$4" ]; then
		ok "$1 $2 $3 moved by $4"
	else
		ko "$1 $2 $3 moved by $d, not $4"
	fi
done
d=$(delta 'forkhttpd_response_bytes_total{server="b.test"}')
# "hello from b\n" and two 404 pages.
if [ "$d" -gt 13 ]; then
	ok "bytes on b.test moved by $d"
else
	ko "bytes on b.test moved by $d"
fi
n=$(val "$dir/m1" 'forkhttpd_request_duration_seconds_count')
inf=$(val "$dir/m1" 'forkhttpd_request_duration_seconds_bucket{le="+Inf"}')
all=$(awk '$1 ~ /^forkhttpd_requests_total/ { s += $2 } END { print s }' \
    "$dir/m1")
if [ "$n" = "$inf" ] && [ "$n" = "$all" ] && [ "$n" -ge 22 ]; then
	ok "duration histogram: count $n = +Inf bucket = requests"
else
	ko "duration histogram: count $n, +Inf $inf, requests $all"
fi
if [ "$(val "$dir/m1" 'forkhttpd_workers{state="idle"}')" -ge 1 ] &&
    [ "$(val "$dir/m1" forkhttpd_worker_starts_total)" = 2 ] &&
    [ "$(val "$dir/m1" forkhttpd_generation)" = 1 ]; then
	ok "2 workers started, generation 1"
else
	ko "workers and generation: $(grep -E 'worker|generation' "$dir/m1" | grep -v '^#')"
fi

# ---------------------------------------------------------------- access

code=$(c -o /dev/null -w '%{http_code}' "$base/metrics-denied")
if [ "$code" = 403 ]; then
	ok "deny = {\"127.0.0.1\"}: 403"
else
	ko "deny = {\"127.0.0.1\"}: $code"
fi
code=$(c -o /dev/null -D "$dir/head405" -w '%{http_code}' -X POST -d x \
    "$base/metrics")
if [ "$code" = 405 ] && grep -qi '^allow: GET, HEAD' "$dir/head405"; then
	ok "POST /metrics: 405 with Allow: GET, HEAD"
else
	ko "POST /metrics: $code"
fi
code=$(c -o "$dir/headbody" -w '%{http_code} %{size_download}' -I \
    "$base/metrics")
if [ "$code" = "200 0" ]; then
	ok "HEAD /metrics: 200, no body"
else
	ko "HEAD /metrics: $code"
fi

# ---------------------------------------------------------------- reload

reload() {
	"$FORKHTTPD_BIN" -s reload -f "$dir/forkhttpd.conf" \
	    >"$dir/reload.out" 2>&1
}
write_conf "$port" B >"$dir/forkhttpd.conf"
if reload; then
	ok "reload"
else
	ko "reload: $(cat "$dir/reload.out")"
fi
# -s reload checks the file before it signals the master: a HUP of our
# own makes the master itself fail to load it.
echo 'workers = "many"' >>"$dir/forkhttpd.conf"
if reload; then
	ko "a broken conf reloaded"
else
	ok "a broken conf: -s reload refuses it"
fi
kill -HUP "$pid"
i=0
while [ $i -lt 50 ]; do
	scrape "$dir/m2"
	[ "$(val "$dir/m2" 'forkhttpd_reloads_total{outcome="failed"}')" -ge 1 ] &&
	    break
	sleep 0.1
	i=$((i + 1))
done
write_conf "$port" B >"$dir/forkhttpd.conf"
body=$(c "$base/v")
scrape "$dir/m2"
if [ "$body" = B ] && [ "$(val "$dir/m2" forkhttpd_generation)" = 2 ] &&
    [ "$(val "$dir/m2" 'forkhttpd_reloads_total{outcome="ok"}')" = 1 ] &&
    [ "$(val "$dir/m2" 'forkhttpd_reloads_total{outcome="failed"}')" = 1 ]; then
	ok "after the reloads: generation 2, reloads ok 1, failed 1"
else
	ko "after the reloads: body $body, $(grep -E '^forkhttpd_(generation|reloads)' "$dir/m2" | tr '\n' ' ')"
fi
if out=$(not_below "$dir/m1" "$dir/m2"); then
	ok "no counter went down across the reloads"
else
	ko "counters went down across the reloads: $out"
fi

# ---------------------------------------------------------------- a crash

# The old generation's workers exit in the background; wait (5 s) for
# their exits to be counted, then kill one of the new ones.
i=0
while [ $i -lt 50 ]; do
	scrape "$dir/m3"
	[ "$(val "$dir/m3" forkhttpd_worker_exits_total)" -ge 2 ] && break
	sleep 0.1
	i=$((i + 1))
done
# A worker: a child of the master (its PPid in /proc).
victim=
for p in /proc/[0-9]*; do
	[ "$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)" = "$pid" ] ||
	    continue
	victim=${p#/proc/}
	break
done
if [ -z "$victim" ]; then
	ko "no worker of $pid in /proc"
	finish
fi
i=0
while [ $i -lt 5 ]; do c -o /dev/null "$base/"; i=$((i + 1)); done
crashes=$(val "$dir/m3" forkhttpd_worker_crashes_total)
starts=$(val "$dir/m3" forkhttpd_worker_starts_total)
kill -KILL "$victim"
i=0
while [ $i -lt 50 ]; do
	scrape "$dir/m4"
	[ "$(val "$dir/m4" forkhttpd_worker_crashes_total)" -gt "$crashes" ] &&
	    [ "$(val "$dir/m4" forkhttpd_worker_starts_total)" -gt "$starts" ] &&
	    break
	sleep 0.1
	i=$((i + 1))
done
if [ "$(val "$dir/m4" forkhttpd_worker_crashes_total)" = $((crashes + 1)) ] &&
    [ "$(val "$dir/m4" forkhttpd_worker_starts_total)" -gt "$starts" ]; then
	ok "kill -9 of worker $victim: crashes $crashes -> $((crashes + 1)), a new worker started"
else
	ko "kill -9 of worker $victim: $(grep -E '^forkhttpd_worker_' "$dir/m4" | tr '\n' ' ')"
fi
if out=$(not_below "$dir/m3" "$dir/m4"); then
	ok "no counter went down across the crash"
else
	ko "counters went down across the crash: $out"
fi

# ---------------------------------------------------------------- load

# Two clients, bounded in runs and time, while pages are taken and
# checked: promtool check metrics, and no counter below the page before.
rm -f "$dir/load.stop"
load() {
	i=0
	end=$(($(date +%s) + 20))
	while [ $i -lt 200 ] && [ "$(date +%s)" -lt $end ] &&
	    [ ! -f "$dir/load.stop" ]; do
		c -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		    "$base/" "$base/v" "$base/none" "$base/boom"
		i=$((i + 1))
	done
}
load 1 &
loader=$!
load 2 &
loader="$loader $!"
have_promtool=false
if command -v promtool >/dev/null 2>&1; then
	have_promtool=true
else
	echo "SKIP: promtool not installed (Debian package prometheus):" \
	    "the exposition format is not checked by promtool"
fi
prev="$dir/m4"
bad=0
checked=0
k=0
while [ $k -lt 10 ]; do
	scrape "$dir/l$k" || { bad=$((bad + 1)); break; }
	if $have_promtool &&
	    ! promtool check metrics <"$dir/l$k" >"$dir/promtool.out" 2>&1; then
		ko "promtool check metrics: $(head -n 5 "$dir/promtool.out")"
		bad=$((bad + 1))
		break
	fi
	if ! out=$(not_below "$prev" "$dir/l$k"); then
		ko "under load, counters went down: $out"
		bad=$((bad + 1))
		break
	fi
	checked=$((checked + 1))
	prev="$dir/l$k"
	sleep 0.2
	k=$((k + 1))
done
touch "$dir/load.stop"
# shellcheck disable=SC2086	# two pids
wait $loader
loader=
moved=$(( $(val "$prev" 'forkhttpd_request_duration_seconds_count') -
    $(val "$dir/m4" 'forkhttpd_request_duration_seconds_count') ))
if [ $bad -eq 0 ] && [ $checked -eq 10 ] && [ $moved -gt 0 ]; then
	if $have_promtool; then
		ok "under load ($moved requests): 10 pages pass promtool check metrics, no counter went down"
	else
		ok "under load ($moved requests): 10 pages, no counter went down"
	fi
elif [ $bad -eq 0 ]; then
	ko "under load: $checked pages checked, $moved requests"
fi

if server_term && [ "$server_status" -eq 0 ]; then
	ok "stopped cleanly"
else
	ko "stop: status ${server_status:-still running}"
fi
finish
