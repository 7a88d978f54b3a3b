#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/routes.sh - what many routes cost: the 1 KiB keep-alive scenario
# (wrk, 64 connections) against a server with 1 route, with 1,000 prefix
# routes, 1,000 exact routes and 100 regex routes, forkhttpd and nginx
# side by side with the same routes, medians of interleaved rounds.
#
# The request, GET /static/a/1k.bin, is answered by a route in each case:
#   1 route     "/static/"                       (location /static/)
#   prefix      "/p0/" ... "/p998/", "/static/"  (location /pN/)
#   exact       "= /e0" ... "= /e998", "= /static/a/1k.bin"
#   regex       "~ ^/r0/" ... "~ ^/r98/", "~ ^/static/"  (location ~)
# so the regex case is the worst one: 99 regexes fail before the last
# matches.  The issue asks the prefix and exact cases within 5% of 1 route.
#
#   bench/routes.sh [--rounds N] [--duration S] [--workers N] [--keep]
#
# Binds 127.0.0.1 only; stops exactly the servers it started (and the
# workers those forked), on any exit.  Needs wrk, curl, ss; nginx for its
# rows (apt-get install -y wrk nginx-light).

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

rounds=3
duration=5
workers=$(nproc)
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)	rounds=${2:?}; shift ;;
	--duration)	duration=${2:?}; shift ;;
	--workers)	workers=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	sed -n '2,20p' "$0"; exit 0 ;;
	*)		sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
	shift
done
check_positive rounds:--rounds duration:--duration workers:--workers
budget=$((4 * 2 * rounds * duration + 20))
[ "$budget" -le 900 ] ||
    die "rounds x duration would take about ${budget}s; keep it under 900"

find_forkhttpd
command -v wrk >/dev/null 2>&1 || die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null 2>&1 || die "curl is missing"
command -v ss >/dev/null 2>&1 || die "ss is missing (iproute2)"
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { note "nginx is not installed: forkhttpd only"; nginx_bin=; }
servers="forkhttpd${nginx_bin:+ nginx}"

tmp=
pids=()
wp=
cleanup()
{
	trap - EXIT INT TERM HUP
	[ -n "$wp" ] && kill -TERM "$wp" 2>/dev/null
	if [ ${#pids[@]} -gt 0 ]; then
		stop_tree "${pids[@]}"
		wait 2>/dev/null
	fi
	remove_tmp
}
arm_cleanup
make_tmp routes

doc=$tmp/htdocs
mkdir -p "$doc/static/a"
head -c 1024 /dev/urandom >"$doc/static/a/1k.bin"
echo ok >"$doc/index.html"
chmod -R a+rX "$doc"
pick_runuser
url_path=/static/a/1k.bin
variants="1route prefix1000 exact1000 regex100"

# ---------------------------------------------------------------- routes

# routes_forkhttpd VARIANT: the route sections.
routes_forkhttpd()
{
	local i
	case $1 in
	1route)	echo '    route "/static/" { }' ;;
	prefix1000)
		for i in $(seq 0 998); do echo "    route \"/p$i/\" { }"; done
		echo '    route "/static/" { }' ;;
	exact1000)
		for i in $(seq 0 998); do echo "    route \"= /e$i\" { }"; done
		echo "    route \"= $url_path\" { }" ;;
	regex100)
		for i in $(seq 0 98); do echo "    route \"~ ^/r$i/\" { }"; done
		echo '    route "~ ^/static/" { }' ;;
	esac
}

routes_nginx()
{
	local i
	case $1 in
	1route)	echo '		location /static/ { }' ;;
	prefix1000)
		for i in $(seq 0 998); do echo "		location /p$i/ { }"; done
		echo '		location /static/ { }' ;;
	exact1000)
		for i in $(seq 0 998); do echo "		location = /e$i { }"; done
		echo "		location = $url_path { }" ;;
	regex100)
		for i in $(seq 0 98); do echo "		location ~ ^/r$i/ { }"; done
		echo '		location ~ ^/static/ { }' ;;
	esac
}

declare -A port spid

# The same keys as bench/run.sh's: no recycling, the same keep-alive
# limits and backlog for both.
start_forkhttpd()
{
	local v=$1 name=forkhttpd-$1
	port[$name]=$(free_port)
	write_forkhttpd_conf "${port[$name]}" "$workers" "max-requests-per-worker = 0
keepalive-timeout = 5
keepalive-requests = 100000
listen-backlog = 511
server \"127.0.0.1\" {
$(routes_forkhttpd "$v")
}" "$name"
	spawn_forkhttpd "$fbin" "$name"
	pids+=("$!")
	spid[$name]=$!
}

start_nginx()
{
	local v=$1 name=nginx-$1
	port[$name]=$(free_port)
	mkdir -p "$tmp/$name/logs" "$tmp/$name/tmp"
	cat >"$tmp/$name.conf" <<EOF
${runuser:+user $runuser $rungroup;}
worker_processes $workers;
daemon off;
master_process on;
pid $tmp/$name.pid;
error_log $tmp/$name-error.log notice;
events {
	worker_connections 1024;
}
http {
	types { application/octet-stream bin; text/html html; }
	default_type application/octet-stream;
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 5s;
	keepalive_requests 100000;
	client_body_temp_path $tmp/$name/tmp/body;
	proxy_temp_path $tmp/$name/tmp/proxy;
	fastcgi_temp_path $tmp/$name/tmp/fastcgi;
	uwsgi_temp_path $tmp/$name/tmp/uwsgi;
	scgi_temp_path $tmp/$name/tmp/scgi;
	server {
		listen 127.0.0.1:${port[$name]} backlog=511;
		root $doc;
$(routes_nginx "$v")
	}
}
EOF
	"$nginx_bin" -p "$tmp/$name/" -e "$tmp/$name-error.log" \
	    -c "$tmp/$name.conf" >"$tmp/$name.out" 2>&1 </dev/null &
	pids+=("$!")
	spid[$name]=$!
}

# Up when it answers the URL with the file.
check_up()
{
	local name=$1 i
	for i in $(seq 50); do
		kill -0 "${spid[$name]}" 2>/dev/null ||
		    { cat "$tmp/$name.out" >&2; die "$name exited at start-up"; }
		if curl -s "http://127.0.0.1:${port[$name]}$url_path" 2>/dev/null |
		    cmp -s - "$doc/static/a/1k.bin"; then
			return
		fi
		sleep 0.1
	done
	die "$name does not serve $url_path on port ${port[$name]}"
}

cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %d %d %d\n", summary.requests,
	    summary.duration, latency:percentile(99.0),
	    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

out=$tmp/cells.tsv
: >"$out"
hz=$(getconf CLK_TCK)

# cpu_ticks NAME: user + system clock ticks of the server's processes
# (master and workers) so far.  On a shared machine the CPU a request
# costs is steadier than the requests a second, which follow whatever
# else runs.
cpu_ticks()
{
	local p files=()
	for p in $(tree "${spid[$1]}"); do
		files+=("/proc/$p/stat")
	done
	cat "${files[@]}" 2>/dev/null | sed 's/.*) //' |
	    awk '{ t += $12 + $13 } END { print t + 0 }'
}

# run_cell ROUND NAME: one wrk run, its req/s in $out.
run_cell()
{
	local r=$1 name=$2 log=$tmp/wrk.$1.$2.log res c0 c1
	c0=$(cpu_ticks "$name")
	timeout $((duration + 30)) wrk -t 2 -c 64 -d "${duration}s" --latency \
	    -s "$tmp/report.lua" "http://127.0.0.1:${port[$name]}$url_path" \
	    >"$log" 2>&1 &
	wp=$!
	wait "$wp"
	wp=
	c1=$(cpu_ticks "$name")
	res=$(grep '^RESULT ' "$log" | tail -1)
	[ -n "$res" ] || { note "round $r $name: no result"; return; }
	# shellcheck disable=SC2086
	set -- $res
	awk -v r="$r" -v n="$name" -v q="$2" -v d="$3" -v p="$4" -v e="$5" \
	    -v c="$((c1 - c0))" -v hz="$hz" \
	    'BEGIN { printf "%s\t%s\t%.0f\t%.3f\t%d\t%.1f\n", r, n,
	    q / (d / 1e6), p / 1000, e, c * 1e6 / hz / q }' >>"$out"
	[ "$5" = 0 ] || note "round $r $name: $5 errors"
}

# ---------------------------------------------------------------- run

t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
names=
for v in $variants; do
	start_forkhttpd "$v"
	names="$names forkhttpd-$v"
	if [ -n "$nginx_bin" ]; then
		start_nginx "$v"
		names="$names nginx-$v"
	fi
done
for n in $names; do
	check_up "$n"
done
note "servers up: $names"
for n in $names; do
	timeout 20 wrk -t 2 -c 8 -d 1s "http://127.0.0.1:${port[$n]}$url_path" \
	    >/dev/null 2>&1
done
read -r -a nlist <<<"$names"
nn=${#nlist[@]}
for r in $(seq "$rounds"); do
	# Rotate the order each round, so no cell always runs first.
	for i in $(seq 0 $((nn - 1))); do
		run_cell "$r" "${nlist[$(((i + (r - 1) * 3) % nn))]}"
	done
	note "round $r of $rounds done ($(($(date +%s) - t0))s)"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $names; do
	kill -0 "${spid[$n]}" 2>/dev/null || note "$n died during the run"
done

# ---------------------------------------------------------------- table

median()
{
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NA"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
describe_forkhttpd "$workers"
[ -n "$nginx_bin" ] &&
    echo "$("$nginx_bin" -v 2>&1 | head -1); worker_processes $workers"
echo "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//'); -t2 -c64 GET $url_path, keep-alive"
echo "$rounds round(s) of ${duration}s per cell, interleaved; medians across" \
    "rounds; $(nproc) CPUs shared by the servers, wrk and whatever else"
echo "runs here; load average $load0 at the start, $load1 at the end;" \
    "$(($(date +%s) - t0))s in all"
echo
printf '| %-11s |' "routes"
for s in $servers; do printf ' %15s | %6s | %8s | %10s | %6s |' "$s req/s" "vs 1" "p99 ms" "CPU us/req" "vs 1"; done
echo
printf '|%s|' "-------------"
for s in $servers; do printf '%s|%s|%s|%s|%s|' "-----------------" "--------" "----------" "------------" "--------"; done
echo
declare -A med cpu
for s in $servers; do
	for v in $variants; do
		med[$s-$v]=$(awk -v n="$s-$v" '$2 == n { print $3 }' "$out" | median)
		cpu[$s-$v]=$(awk -v n="$s-$v" '$2 == n { print $6 * 10 }' "$out" |
		    median | awk '{ if ($1 == "NA") print "NA"; else printf "%.1f", $1 / 10 }')
	done
done
for v in $variants; do
	printf '| %-11s |' "$v"
	for s in $servers; do
		p99=$(awk -v n="$s-$v" '$2 == n { print $4 }' "$out" | median)
		ratio=$(awk -v a="${med[$s-$v]}" -v b="${med[$s-1route]}" \
		    'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA";
		    else printf "%+.1f%%", (a / b - 1) * 100 }')
		cratio=$(awk -v a="${cpu[$s-$v]}" -v b="${cpu[$s-1route]}" \
		    'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA";
		    else printf "%+.1f%%", (a / b - 1) * 100 }')
		printf ' %15s | %6s | %8s | %10s | %6s |' "${med[$s-$v]}" "$ratio" \
		    "$p99" "${cpu[$s-$v]}" "$cratio"
	done
	echo
done
echo
echo "Each cell (round, server-variant, req/s, p99 ms, errors, CPU us/req):"
sort -k2,2 -k1,1n "$out" | sed 's/^/    /'
[ "$keep" = 1 ] && note "confs and logs in $tmp"
exit 0
