#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/proxy.sh - forkhttpd's reverse proxy against nginx's proxy_pass,
# side by side, with wrk.
#
# One upstream for both: forkhttpd itself serving a 1 KiB file on its own
# port.  In front of it, forkhttpd with `proxy = "http://127.0.0.1:UP"`,
# and nginx with proxy_pass to an upstream block with `keepalive 64`
# (HTTP/1.1, Connection cleared: keep-alive to the upstream, as
# forkhttpd's pool does).  wrk GETs the file through each at 64 keep-alive
# connections; rounds are interleaved (the order rotates), and the table
# has each front's median requests/s across rounds, and forkhttpd's as a
# ratio of nginx's.  Both fronts run the same number of workers; the
# upstream, the fronts and wrk share the machine's CPUs.  It binds
# 127.0.0.1 only, installs nothing, and stops exactly the processes it
# started (and the workers those forked), on any exit.
#
#   bench/proxy.sh [--rounds N] [--duration S] [--workers N]
#                  [--connections N] [--keep]

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage()
{
	cat <<EOF
usage: $prog [options]
  --rounds N       interleaved rounds; medians across them (default 3)
  --duration S     seconds per wrk run (default 5)
  --workers N      workers of each front (forkhttpd workers, nginx
                   worker_processes) and of the upstream (default: nproc,
                   here $(nproc))
  --connections N  wrk's keep-alive connections (default 64)
  --keep           keep the temporary directory (confs, logs)
  -h, --help       this text
The forkhttpd binary is \$FORKHTTPD_BIN, else ./build/src/forkhttpd.
Needs wrk, nginx and curl: apt-get install -y wrk nginx-light curl
EOF
}

rounds=3
duration=5
workers=$(nproc)
conns=64
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)	rounds=${2:?}; shift ;;
	--duration)	duration=${2:?}; shift ;;
	--workers)	workers=${2:?}; shift ;;
	--connections)	conns=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done
check_positive rounds:--rounds duration:--duration workers:--workers \
    conns:--connections
[ $((2 * rounds * duration)) -le 600 ] ||
    die "rounds x duration would take over 10 minutes"

find_forkhttpd
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "nginx is missing: apt-get install -y nginx-light"
command -v wrk >/dev/null 2>&1 || die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null 2>&1 || die "curl is missing"
command -v ss >/dev/null 2>&1 || die "ss is missing (iproute2)"

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
make_tmp proxy-bench
pick_runuser

doc=$tmp/htdocs
mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
chmod -R a+rX "$doc"

up=$(free_port)
pf=$(free_port)
pn=$(free_port)
keys="keepalive-timeout = 5
keepalive-requests = 100000
listen-backlog = 511
max-requests-per-worker = 0"

# The upstream: forkhttpd serving the file.
write_forkhttpd_conf "$up" "$workers" "$keys" upstream
spawn_forkhttpd "$fbin" upstream
pids+=($!)

# forkhttpd in front.
write_forkhttpd_conf "$pf" "$workers" "$keys
server \"front\" {
    default = true
    route \"/\" { proxy = \"http://127.0.0.1:$up\" }
}" front
spawn_forkhttpd "$fbin" front
pids+=($!)

# nginx in front, keep-alive to the upstream.
mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
cat >"$tmp/nginx.conf" <<EOF
${runuser:+user $runuser $rungroup;}
worker_processes $workers;
daemon off;
master_process on;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log notice;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $tmp/nginx/tmp/body;
	proxy_temp_path $tmp/nginx/tmp/proxy;
	fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
	uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
	scgi_temp_path $tmp/nginx/tmp/scgi;
	keepalive_timeout 5s;
	keepalive_requests 100000;
	upstream up {
		server 127.0.0.1:$up;
		keepalive 64;
	}
	server {
		listen 127.0.0.1:$pn;
		location / {
			proxy_pass http://up;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
EOF
spawn_nginx
pids+=($!)

declare -A port=([forkhttpd]=$pf [nginx]=$pn)
for s in upstream forkhttpd nginx; do
	p=${port[$s]:-$up}
	ok=
	for _ in $(seq 50); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$p/1k.bin" 2>/dev/null
		then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ -n "$ok" ] || die "$s does not answer on port $p (see $tmp, --keep)"
done

# One wrk run: requests/s, and the errors it counted.
measure()
{
	local s=$1 log=$tmp/wrk.$2.$1.log
	timeout $((duration + 30)) wrk -t 2 -c "$conns" -d "${duration}s" \
	    "http://127.0.0.1:${port[$s]}/1k.bin" >"$log" 2>&1 &
	wp=$!
	wait "$wp"
	wp=
	awk '/^Requests\/sec:/ { r = $2 }
	    /Socket errors/ { e = $0 }
	    /Non-2xx/ { n = $NF }
	    END { printf "%s\t%s\t%s\n", r == "" ? "NA" : r, n == "" ? 0 : n,
	        e == "" ? "-" : e }' "$log"
}

# Warm both (and the upstream's pool), then the rounds.
for s in forkhttpd nginx; do
	timeout 20 wrk -t 2 -c 8 -d 1s "http://127.0.0.1:${port[$s]}/1k.bin" \
	    >/dev/null 2>&1
done
out=$tmp/results.tsv
: >"$out"
t0=$(date +%s)
order=(forkhttpd nginx)
for r in $(seq "$rounds"); do
	for s in "${order[@]}"; do
		printf '%s\t%s\t%s\n' "$r" "$s" "$(measure "$s" "$r")" >>"$out"
	done
	order=("${order[1]}" "${order[0]}")
	note "round $r of $rounds done ($(($(date +%s) - t0))s)"
done

echo "bench/proxy.sh: 1 KiB through a reverse proxy, $conns keep-alive" \
    "connections, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(describe_forkhttpd "$workers"); nginx $("$nginx_bin" -v 2>&1 |
    sed 's/.*nginx\///') worker_processes $workers"
echo "upstream: forkhttpd serving the file, workers $workers; $(nproc) CPUs" \
    "shared by the upstream, the fronts and wrk; $rounds round(s) of" \
    "${duration}s, interleaved; medians"
awk -F '\t' '
function median(list,    a, n, i, t, j) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (n == 0) return "NA"
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ rq[$2] = rq[$2] " " $3; bad[$2] += $4; each[$2] = each[$2] " " $3 }
END {
	f = median(rq["forkhttpd"]); n = median(rq["nginx"])
	printf "%-10s %12s %8s %8s  %s\n", "front", "req/s", "x nginx",
	    "non-2xx", "rounds"
	printf "%-10s %12.0f %8.2f %8d %s\n", "forkhttpd", f, (n > 0 ? f / n : 0),
	    bad["forkhttpd"], each["forkhttpd"]
	printf "%-10s %12.0f %8.2f %8d %s\n", "nginx", n, 1, bad["nginx"],
	    each["nginx"]
}' "$out"
