#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/fastcgi.sh - PHP through php-fpm: a hello-world script behind
# forkhttpd (`fastcgi = "unix:..."`) and behind nginx (`fastcgi_pass`),
# both in front of the same php-fpm pool, side by side in one run: wrk
# with 64 keep-alive connections, interleaved rounds, medians, and the
# ratio forkhttpd / nginx.  Neither keeps its connections to php-fpm
# (nginx without fastcgi_keep_conn, forkhttpd never), so each request
# costs both a connect to the pool's socket.
#
#   bench/fastcgi.sh [--rounds N] [--duration S] [--workers N]
#                    [--children N] [--keep]
#
# php-fpm is this script's own: a pool conf in the scratch directory,
# pm = static with --children processes (8), listening on a unix socket
# there, the system's php.ini (opcache as Debian ships it).  Binds
# 127.0.0.1 only; stops exactly the servers and the php-fpm it started,
# on any exit.  Needs wrk, curl, ss, php-fpm; nginx for its row
# (apt-get install -y wrk nginx-light php-fpm).

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

rounds=3
duration=10
workers=2
children=8
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)	rounds=${2:?}; shift ;;
	--duration)	duration=${2:?}; shift ;;
	--workers)	workers=${2:?}; shift ;;
	--children)	children=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	sed -n '2,20p' "$0"; exit 0 ;;
	*)		sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
	shift
done
check_positive rounds:--rounds duration:--duration workers:--workers \
    children:--children
budget=$((2 * rounds * duration + 20))
[ "$budget" -le 900 ] ||
    die "rounds x duration would take about ${budget}s; keep it under 900"

find_forkhttpd
command -v wrk >/dev/null 2>&1 || die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null 2>&1 || die "curl is missing"
command -v ss >/dev/null 2>&1 || die "ss is missing (iproute2)"
fpm=
for f in /usr/sbin/php-fpm /usr/sbin/php-fpm[0-9]*; do
	[ -x "$f" ] && fpm=$f
done
[ -n "$fpm" ] || die "php-fpm is missing: apt-get install -y php-fpm"
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { note "nginx is not installed: forkhttpd only"; nginx_bin=; }

tmp=
pids=()
wp=
fpm_pid=
cleanup()
{
	trap - EXIT INT TERM HUP
	[ -n "$wp" ] && kill -TERM "$wp" 2>/dev/null
	if [ ${#pids[@]} -gt 0 ]; then
		stop_tree "${pids[@]}"
	fi
	[ -n "$fpm_pid" ] && stop_tree "$fpm_pid"
	wait 2>/dev/null
	remove_tmp
}
arm_cleanup
make_tmp fastcgi

doc=$tmp/htdocs
mkdir -p "$doc"
echo '<?php echo "Hello, world!\n";' >"$doc/hello.php"
echo ok >"$doc/index.html"
chmod -R a+rX "$doc"
pick_runuser
url_path=/hello.php

# ---------------------------------------------------------------- php-fpm

cat >"$tmp/php-fpm.conf" <<EOF
[global]
pid = $tmp/php-fpm.pid
error_log = $tmp/php-fpm.log
daemonize = no

[bench]
user = $(id -un)
group = $(id -gn)
listen = $tmp/php.sock
listen.mode = 0666
listen.backlog = 511
pm = static
pm.max_children = $children
EOF
root_flag=()
[ "$(id -u)" = 0 ] && root_flag=(-R)
"$fpm" -F "${root_flag[@]}" -y "$tmp/php-fpm.conf" >"$tmp/php-fpm.out" 2>&1 \
    </dev/null &
fpm_pid=$!
for _ in $(seq 50); do
	[ -S "$tmp/php.sock" ] && break
	kill -0 "$fpm_pid" 2>/dev/null ||
	    { cat "$tmp/php-fpm.out" >&2; die "php-fpm exited at start-up"; }
	sleep 0.1
done
[ -S "$tmp/php.sock" ] || die "php-fpm does not listen on $tmp/php.sock"

# ---------------------------------------------------------------- servers

declare -A port spid

# The same keep-alive limits and backlog for both (bench/run.sh's).
start_forkhttpd()
{
	local name=forkhttpd
	port[$name]=$(free_port)
	write_forkhttpd_conf "${port[$name]}" "$workers" "max-requests-per-worker = 0
keepalive-timeout = 5
keepalive-requests = 100000
listen-backlog = 511
server \"127.0.0.1\" {
    default = true
    route '~ \\.php\$' { fastcgi = \"unix:$tmp/php.sock\" }
}" "$name"
	spawn_forkhttpd "$fbin" "$name"
	pids+=("$!")
	spid[$name]=$!
}

# The CGI variables nginx's own fastcgi_params file sets, written out so
# the run does not depend on where that file is.
start_nginx()
{
	local name=nginx
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
	types { text/html html; }
	default_type application/octet-stream;
	access_log off;
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
		location ~ \\.php\$ {
			fastcgi_pass unix:$tmp/php.sock;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param DOCUMENT_URI \$document_uri;
			fastcgi_param DOCUMENT_ROOT \$document_root;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			fastcgi_param REQUEST_SCHEME \$scheme;
			fastcgi_param GATEWAY_INTERFACE CGI/1.1;
			fastcgi_param SERVER_SOFTWARE nginx;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param REMOTE_PORT \$remote_port;
			fastcgi_param SERVER_ADDR \$server_addr;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param SERVER_NAME \$server_name;
			fastcgi_param REDIRECT_STATUS 200;
		}
	}
}
EOF
	"$nginx_bin" -p "$tmp/$name/" -e "$tmp/$name-error.log" \
	    -c "$tmp/$name.conf" >"$tmp/$name.out" 2>&1 </dev/null &
	pids+=("$!")
	spid[$name]=$!
}

# Up when it answers the URL with the script's output.
check_up()
{
	local name=$1 i
	for i in $(seq 50); do
		kill -0 "${spid[$name]}" 2>/dev/null ||
		    { cat "$tmp/$name.out" >&2; die "$name exited at start-up"; }
		if [ "$(curl -s "http://127.0.0.1:${port[$name]}$url_path" \
		    2>/dev/null)" = "Hello, world!" ]; then
			return
		fi
		sleep 0.1
	done
	die "$name does not run $url_path on port ${port[$name]}"
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

# cpu_ticks PID: user + system clock ticks of the processes of PID's tree.
cpu_ticks()
{
	local p files=()
	for p in $(tree "$1"); do
		files+=("/proc/$p/stat")
	done
	cat "${files[@]}" 2>/dev/null | sed 's/.*) //' |
	    awk '{ t += $12 + $13 } END { print t + 0 }'
}

# run_cell ROUND NAME: one wrk run: req/s, p99, errors, and the CPU per
# request of the server and of php-fpm, in $out.
run_cell()
{
	local r=$1 name=$2 log=$tmp/wrk.$1.$2.log res c0 c1 f0 f1
	c0=$(cpu_ticks "${spid[$name]}")
	f0=$(cpu_ticks "$fpm_pid")
	timeout $((duration + 30)) wrk -t 2 -c 64 -d "${duration}s" --latency \
	    -s "$tmp/report.lua" "http://127.0.0.1:${port[$name]}$url_path" \
	    >"$log" 2>&1 &
	wp=$!
	wait "$wp"
	wp=
	c1=$(cpu_ticks "${spid[$name]}")
	f1=$(cpu_ticks "$fpm_pid")
	res=$(grep '^RESULT ' "$log" | tail -1)
	[ -n "$res" ] || { note "round $r $name: no result"; return; }
	# shellcheck disable=SC2086
	set -- $res
	awk -v r="$r" -v n="$name" -v q="$2" -v d="$3" -v p="$4" -v e="$5" \
	    -v c="$((c1 - c0))" -v f="$((f1 - f0))" -v hz="$hz" \
	    'BEGIN { printf "%s\t%s\t%.0f\t%.3f\t%d\t%.1f\t%.1f\n", r, n,
	    q / (d / 1e6), p / 1000, e, c * 1e6 / hz / q, f * 1e6 / hz / q }' \
	    >>"$out"
	[ "$5" = 0 ] || note "round $r $name: $5 errors"
}

# ---------------------------------------------------------------- run

t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start_forkhttpd
names=forkhttpd
if [ -n "$nginx_bin" ]; then
	start_nginx
	names="$names nginx"
fi
for n in $names; do
	check_up "$n"
done
note "servers up: $names; php-fpm pid $fpm_pid, $children children"
for n in $names; do
	timeout 20 wrk -t 2 -c 8 -d 1s "http://127.0.0.1:${port[$n]}$url_path" \
	    >/dev/null 2>&1
done
read -r -a nlist <<<"$names"
nn=${#nlist[@]}
for r in $(seq "$rounds"); do
	# Alternate the order each round, so no server always runs first.
	for i in $(seq 0 $((nn - 1))); do
		run_cell "$r" "${nlist[$(((i + r - 1) % nn))]}"
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
		else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
describe_forkhttpd "$workers"
[ -n "$nginx_bin" ] &&
    echo "$("$nginx_bin" -v 2>&1 | head -1); worker_processes $workers"
echo "$("$fpm" -v 2>&1 | head -1 | sed 's/ (built.*//'); pm = static," \
    "$children children, one pool for both"
echo "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//'); -t2 -c64 GET $url_path, keep-alive"
echo "$rounds round(s) of ${duration}s per server, interleaved; medians across" \
    "rounds; $(nproc) CPUs shared by the servers, php-fpm, wrk and whatever"
echo "else runs here; load average $load0 at the start, $load1 at the end;" \
    "$(($(date +%s) - t0))s in all"
echo
printf '| %-9s | %9s | %8s | %16s | %14s |\n' server "req/s" "p99 ms" \
    "server CPU us/req" "php-fpm us/req"
printf '|%s|%s|%s|%s|%s|\n' "-----------" "-----------" "----------" \
    "------------------" "----------------"
declare -A med
for n in $names; do
	med[$n]=$(awk -v n="$n" '$2 == n { print $3 }' "$out" | median)
	printf '| %-9s | %9s | %8s | %17s | %14s |\n' "$n" "${med[$n]}" \
	    "$(awk -v n="$n" '$2 == n { print $4 }' "$out" | median)" \
	    "$(awk -v n="$n" '$2 == n { print $6 }' "$out" | median)" \
	    "$(awk -v n="$n" '$2 == n { print $7 }' "$out" | median)"
done
if [ -n "$nginx_bin" ]; then
	echo
	awk -v a="${med[forkhttpd]}" -v b="${med[nginx]}" 'BEGIN {
	    if (a == "NA" || b == "NA" || b == 0) print "forkhttpd / nginx: NA";
	    else printf "forkhttpd / nginx: %.2fx\n", a / b }'
fi
echo
echo "Each cell (round, server, req/s, p99 ms, errors, server CPU us/req," \
    "php-fpm CPU us/req):"
sort -k2,2 -k1,1n "$out" | sed 's/^/    /'
[ "$keep" = 1 ] && note "confs and logs in $tmp"
exit 0
