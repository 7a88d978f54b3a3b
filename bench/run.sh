#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/run.sh - forkhttpd against nginx and lighttpd, side by side, with wrk.
#
# See bench/README for what it measures and how to read the table.  It
# installs nothing and builds nothing; it binds 127.0.0.1 only; it stops
# exactly the processes it started (and the workers those forked), on any
# exit.
#
#   bench/run.sh [--quick] [--rounds N] [--duration S] [--workers N]
#                [--forkhttpd-workers N] [--lighttpd-workers N]
#                [--servers LIST] [--raw FILE] [--keep]

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage()
{
	cat <<EOF
usage: $prog [options]
  --quick              2 s per cell, 1 round (under 2 minutes)
  --rounds N           interleaved rounds; medians are taken across them
                       (default 3)
  --duration S         seconds per wrk run (default 5)
  --workers N          forkhttpd workers = nginx worker_processes
                       (default: nproc, here $(nproc))
  --forkhttpd-workers N
                       forkhttpd's workers alone, when they should differ
                       from nginx's (default: --workers)
  --lighttpd-workers N lighttpd server.max-worker (default 1: lighttpd's
                       own default, a single event-loop process)
  --servers LIST       comma-separated subset of forkhttpd,nginx,lighttpd,
                       apache (prefork), ceiling (nginx answering
                       "return 200" with no file: what wrk can drive;
                       1 KiB rows only) (default: forkhttpd and every
                       peer installed, without apache and ceiling)
  --baseline BIN       also run another forkhttpd binary (an earlier
                       build) as server "baseline", same configuration:
                       its row's ratio is the change's, in the same run
  --raw FILE           also write every cell of every round as TSV
  --keep               keep the temporary directory (confs, logs, docroot)
  -h, --help           this text

The forkhttpd binary is \$FORKHTTPD_BIN, else ./build/src/forkhttpd, else
./src/forkhttpd (relative to the top of the source tree).
Needs: wrk; for the peers, nginx, lighttpd and apache2.  On Debian:
  apt-get install -y wrk nginx-light lighttpd apache2
EOF
}

# ---------------------------------------------------------------- options

rounds=3
duration=5
workers=$(nproc)
lworkers=1
fworkers=
servers_opt=
baseline=
raw=
keep=0

while [ $# -gt 0 ]; do
	case $1 in
	--quick)	rounds=1; duration=2 ;;
	--rounds)	rounds=${2:?}; shift ;;
	--duration)	duration=${2:?}; shift ;;
	--workers)	workers=${2:?}; shift ;;
	--lighttpd-workers) lworkers=${2:?}; shift ;;
	--forkhttpd-workers) fworkers=${2:?}; shift ;;
	--servers)	servers_opt=${2:?}; shift ;;
	--baseline)	baseline=${2:?}; shift ;;
	--raw)		raw=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done

fworkers=${fworkers:-$workers}
check_positive rounds:--rounds duration:--duration workers:--workers \
    lworkers:--lighttpd-workers fworkers:--forkhttpd-workers
# The bound the issue sets: under 10 minutes by default, 2 with --quick.
# 6 scenarios x 3 servers x rounds x duration, plus about 15 s of set-up.
budget=$((6 * 3 * rounds * duration + 15))
probe_s=$(awk -v d="$duration" 'BEGIN { print d * 0.4 }')
if [ "$budget" -gt 900 ]; then
	die "rounds x duration would take about ${budget}s; keep it under 900"
fi

# ---------------------------------------------------------------- tools

find_forkhttpd

missing=
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
lighttpd_bin=$(command -v lighttpd 2>/dev/null || echo /usr/sbin/lighttpd)
[ -x "$nginx_bin" ] || { missing="$missing nginx-light"; nginx_bin=; }
[ -x "$lighttpd_bin" ] || { missing="$missing lighttpd"; lighttpd_bin=; }
apache_bin=$(command -v apache2 2>/dev/null || echo /usr/sbin/apache2)
apache_mods=/usr/lib/apache2/modules
[ -x "$apache_bin" ] && [ -f "$apache_mods/mod_mpm_prefork.so" ] ||
    apache_bin=
command -v wrk >/dev/null 2>&1 ||
    die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null 2>&1 ||
    die "curl is missing (it checks each server first): apt-get install -y curl"
command -v ss >/dev/null 2>&1 ||
    die "ss is missing (it finds free ports): apt-get install -y iproute2"
[ -z "$missing" ] || note "not installed:$missing  (apt-get install -y$missing)"

if [ -n "$servers_opt" ]; then
	pick_servers "$servers_opt" nginx:"$nginx_bin":nginx \
	    lighttpd:"$lighttpd_bin":lighttpd \
	    apache:"${apache_bin:-}":apache2 ceiling:"${nginx_bin:-}":nginx
else
	pick_servers "" nginx:"$nginx_bin":nginx \
	    lighttpd:"$lighttpd_bin":lighttpd
fi
# apache and ceiling only when asked for (--servers): not in the default.
if [ -n "$servers_opt" ]; then
	for s in $servers; do
		case $s in
		apache)	[ -n "$apache_bin" ] ||
			    die "apache2 (mpm_prefork) is not installed" ;;
		ceiling) [ -n "$nginx_bin" ] || die "ceiling needs nginx" ;;
		esac
	done
fi
if [ -n "$baseline" ]; then
	[ -x "$baseline" ] || die "--baseline $baseline: not an executable"
	servers="$servers baseline"
fi
# The same bound for what was picked: 6 cells per server and round, 3
# for the ceiling.
cells=0
for s in $servers; do
	if [ "$s" = ceiling ]; then cells=$((cells + 3)); else cells=$((cells + 6)); fi
done
budget=$((cells * rounds * duration + 15))
[ "$budget" -le 900 ] ||
    die "$cells cells x rounds x duration would take about ${budget}s; keep it under 900"

# ---------------------------------------------------------------- cleanup

tmp=
pids=()		# the servers' top processes, each started by us
wp=		# the wrk running now (under timeout(1), which passes TERM on)

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
make_tmp bench

# ---------------------------------------------------------------- docroot

doc=$tmp/htdocs
mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
head -c $((256 * 1024)) /dev/urandom >"$doc/256k.bin"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$doc/4m.bin"
echo ok >"$doc/index.html"
chmod -R a+rX "$doc"

pick_runuser

declare -A port spid

# ---------------------------------------------------------------- confs

# What run.sh adds to lib.sh's confs: no recycling, and the same
# keep-alive limits and listen backlog as the other servers (see
# bench/README).
forkhttpd_keys="max-requests-per-worker = 0
keepalive-timeout = 5
keepalive-requests = 100000
listen-backlog = 511"
nginx_keys=$(printf '\t%s\n' "tcp_nopush on;" "keepalive_timeout 5s;" \
    "keepalive_requests 100000;")

write_lighttpd_conf()
{
	# lighttpd opens its error log after giving up root.
	: >"$tmp/lighttpd-error.log"
	[ -n "$runuser" ] && chown "$runuser:$rungroup" "$tmp/lighttpd-error.log"
	{
		cat <<EOF
server.document-root = "$doc"
server.bind = "127.0.0.1"
server.port = ${port[lighttpd]}
server.pid-file = "$tmp/lighttpd.pid"
server.errorlog = "$tmp/lighttpd-error.log"
server.network-backend = "sendfile"
server.max-keep-alive-requests = 100000
server.max-keep-alive-idle = 5
server.listen-backlog = 511
index-file.names = ( "index.html" )
mimetype.assign = ( ".bin" => "application/octet-stream",
                    ".html" => "text/html" )
EOF
		[ "$lworkers" -gt 1 ] && echo "server.max-worker = $lworkers"
		if [ -n "$runuser" ]; then
			echo "server.username = \"$runuser\""
			echo "server.groupname = \"$rungroup\""
		fi
	} >"$tmp/lighttpd.conf"
}

# Apache prefork, Debian's module set, as a peer: the pool may grow to 256
# processes, one per connection (prefork serves one connection per
# process), and the same keep-alive limits as the others.
write_apache_conf()
{
	mkdir -p "$tmp/apache/run"
	cat >"$tmp/apache.conf" <<EOF
ServerRoot "$tmp/apache"
ServerName 127.0.0.1
Listen 127.0.0.1:${port[apache]}
PidFile "$tmp/apache.pid"
ErrorLog "$tmp/apache-error.log"
LogLevel warn
DefaultRuntimeDir "$tmp/apache/run"
Mutex file:$tmp/apache/run default
LoadModule mpm_prefork_module $apache_mods/mod_mpm_prefork.so
LoadModule authz_core_module $apache_mods/mod_authz_core.so
LoadModule dir_module $apache_mods/mod_dir.so
LoadModule mime_module $apache_mods/mod_mime.so
${runuser:+User $runuser}
${runuser:+Group $rungroup}
StartServers $workers
MinSpareServers 5
MaxSpareServers 10
MaxRequestWorkers 256
ServerLimit 256
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 100000
KeepAliveTimeout 5
ListenBacklog 511
EnableSendfile On
TypesConfig /etc/mime.types
DocumentRoot "$doc"
<Directory />
	Require all denied
</Directory>
<Directory "$doc">
	Require all granted
</Directory>
DirectoryIndex index.html
EOF
}

# The ceiling: nginx answering every request with "return 200" and no
# body, no file at all; what wrk can drive on this machine.
write_ceiling_conf()
{
	mkdir -p "$tmp/ceiling/logs" "$tmp/ceiling/tmp"
	cat >"$tmp/ceiling.conf" <<EOF
${runuser:+user $runuser $rungroup;}
worker_processes $workers;
daemon off;
master_process on;
pid $tmp/ceiling.pid;
error_log $tmp/ceiling-error.log notice;
events {
	worker_connections 1024;
}
http {
	access_log off;
	keepalive_timeout 5s;
	keepalive_requests 100000;
	client_body_temp_path $tmp/ceiling/tmp/body;
	proxy_temp_path $tmp/ceiling/tmp/proxy;
	fastcgi_temp_path $tmp/ceiling/tmp/fastcgi;
	uwsgi_temp_path $tmp/ceiling/tmp/uwsgi;
	scgi_temp_path $tmp/ceiling/tmp/scgi;
	server {
		listen 127.0.0.1:${port[ceiling]} backlog=511;
		location / { return 200; }
	}
}
EOF
}

# ---------------------------------------------------------------- servers

start_server()
{
	local s=$1
	port[$s]=$(free_port)
	case $s in
	forkhttpd)
		write_forkhttpd_conf "${port[$s]}" "$fworkers" "$forkhttpd_keys"
		spawn_forkhttpd
		;;
	baseline)
		write_forkhttpd_conf "${port[$s]}" "$fworkers" \
		    "$forkhttpd_keys" baseline
		spawn_forkhttpd "$baseline" baseline
		;;
	nginx)
		write_nginx_conf "${port[$s]}" "$workers" "$nginx_keys" \
		    backlog=511
		spawn_nginx
		;;
	lighttpd)
		write_lighttpd_conf
		"$lighttpd_bin" -D -f "$tmp/lighttpd.conf" \
		    >"$tmp/lighttpd.out" 2>&1 </dev/null &
		;;
	apache)
		write_apache_conf
		# In its own session: prefork's parent, told to stop, sends
		# TERM to its whole process group, which would be ours;
		# setsid(1) execs apache2 in place, so $! is its parent.
		setsid "$apache_bin" -f "$tmp/apache.conf" -DFOREGROUND \
		    >"$tmp/apache.out" 2>&1 </dev/null &
		;;
	ceiling)
		write_ceiling_conf
		"$nginx_bin" -p "$tmp/ceiling/" -e "$tmp/ceiling-error.log" \
		    -c "$tmp/ceiling.conf" >"$tmp/ceiling.out" 2>&1 </dev/null &
		;;
	esac
	pids+=("$!")
	spid[$s]=$!
}

# Up when it answers GET /1k.bin with 200 and the whole file; checks the
# three files once so that every server serves the same bytes.
check_server()
{
	local s=$1 f i code
	for i in $(seq 50); do
		kill -0 "${spid[$s]}" 2>/dev/null ||
		    { cat "$tmp/$s.out" >&2; die "$s exited at start-up"; }
		code=$(curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:${port[$s]}/1k.bin" 2>/dev/null)
		[ "$code" = 200 ] && break
		sleep 0.1
	done
	[ "$code" = 200 ] || die "$s does not answer on port ${port[$s]}"
	[ "$s" = ceiling ] && return
	for f in 1k.bin 256k.bin 4m.bin; do
		curl -s "http://127.0.0.1:${port[$s]}/$f" |
		    cmp -s - "$doc/$f" || die "$s: /$f differs from the file"
	done
}

# One awk for all the processes: with hundreds of workers, one awk each
# would itself load the machine during the cell being measured.
pss_kib()
{
	local p files=()
	for p in $(tree "${spid[$1]}"); do
		files+=("/proc/$p/smaps_rollup")
	done
	# cat, not awk, opens them: a worker that has just exited is skipped.
	cat "${files[@]}" 2>/dev/null |
	    awk '/^Pss:/ { t += $2 } END { print t + 0 }'
}

nprocs()
{
	tree "${spid[$1]}" | wc -l
}

# ---------------------------------------------------------------- wrk

# done() runs once at the end, so the script costs nothing per request;
# it prints the exact counters instead of wrk's rounded text.
cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\n",
	    summary.requests, summary.duration, summary.bytes,
	    latency:percentile(99.0), e.connect, e.read, e.write,
	    e.status, e.timeout))
end
EOF

# scenario: name, path, connections, extra header
scenarios=(
	"1k-ka-8|/1k.bin|8|"
	"1k-ka-64|/1k.bin|64|"
	"1k-ka-256|/1k.bin|256|"
	"1k-close-16|/1k.bin|16|Connection: close"
	"256k-16|/256k.bin|16|"
	"4m-4|/4m.bin|4|"
)

out=$tmp/cells.tsv
printf 'round\tscenario\tserver\treq_s\tmib_s\tp99_ms\tconnect\tread\twrite\tnon2xx\ttimeout\tpss_during_kib\tpss_after_kib\tprobe_ms\n' >"$out"

# run_cell ROUND SCENARIO SERVER PATH CONNS HEADER
run_cell()
{
	local r=$1 sc=$2 s=$3 path=$4 c=$5 hdr=$6 log res pd=- pa=- pr
	local -a args=(-t 2 -c "$c" -d "${duration}s" --latency
	    -s "$tmp/report.lua")
	[ -n "$hdr" ] && args+=(-H "$hdr")
	log=$tmp/wrk.$r.$sc.$s.log
	timeout $((duration + 30)) wrk "${args[@]}" \
	    "http://127.0.0.1:${port[$s]}$path" >"$log" 2>&1 &
	wp=$!
	sleep "$(awk -v d="$duration" 'BEGIN { print d / 2 }')"
	# Memory at 256 connections: once half-way, with them open, and
	# once again right after wrk has gone.
	[ "$c" = 256 ] && pd=$(pss_kib "$s")
	# The probe: a new client's GET of 1k.bin, half-way through.  wrk
	# keeps no sample for a connection that is never answered, so a
	# server serving some of its connections and starving the rest
	# looks fast in wrk's figures; the probe is one more client, and
	# says how long it waits.  -1: no answer within 40% of a cell.
	pr=$(curl -s -o /dev/null -m "$probe_s" -w '%{http_code} %{time_total}' \
	    "http://127.0.0.1:${port[$s]}/1k.bin" 2>/dev/null)
	case $pr in
	200\ *) pr=$(awk -v t="${pr#* }" 'BEGIN { printf "%.2f", t * 1000 }') ;;
	*)	pr=-1 ;;
	esac
	wait "$wp"
	wp=
	[ "$c" = 256 ] && pa=$(pss_kib "$s")
	res=$(grep '^RESULT ' "$log" | tail -1)
	if [ -z "$res" ]; then
		note "round $r $sc $s: wrk gave no result (see below)"
		sed 's/^/    /' "$log" >&2
		printf '%s\t%s\t%s\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\t%s\t%s\t%s\n' \
		    "$r" "$sc" "$s" "$pd" "$pa" "$pr" >>"$out"
		return
	fi
	# shellcheck disable=SC2086	# the fields of one line, on purpose
	set -- $res
	# RESULT requests duration_us bytes p99_us connect read write status timeout
	awk -v r="$r" -v sc="$sc" -v s="$s" -v n="$2" -v d="$3" -v b="$4" \
	    -v p="$5" -v ec="$6" -v er="$7" -v ew="$8" -v es="$9" \
	    -v et="${10}" -v pd="$pd" -v pa="$pa" -v pr="$pr" 'BEGIN {
		printf "%s\t%s\t%s\t%.0f\t%.2f\t%.3f\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n",
		    r, sc, s, n / (d / 1e6), b / (d / 1e6) / 1048576, p / 1000,
		    ec, er, ew, es, et, pd, pa, pr
	}' >>"$out"
	[ "$6$7$8$9${10}" = 00000 ] ||
	    note "round $r $sc $s: errors: connect $6 read $7 write $8" \
		"non-2xx/3xx $9 timeout ${10}"
}

# ---------------------------------------------------------------- run

t0=$(date +%s)
for s in $servers; do
	start_server "$s"
done
for s in $servers; do
	check_server "$s"
done

note "forkhttpd: $fbin (from $fsrc)"
[ -n "$baseline" ] && note "baseline: $baseline"
note "servers: $servers; forkhttpd workers $fworkers; nginx" \
    "worker_processes $workers; lighttpd max-worker $lworkers"
note "$rounds round(s) x ${#scenarios[@]} scenarios x ${duration}s;" \
    "about ${budget}s"

# One second of load on each to fault pages in and fill caches.
for s in $servers; do
	timeout 20 wrk -t 2 -c 8 -d 1s "http://127.0.0.1:${port[$s]}/1k.bin" \
	    >/dev/null 2>&1
done

# shellcheck disable=SC2086	# the names, on purpose
set -- $servers
nserv=$#
read -r -a slist <<<"$servers"
for r in $(seq "$rounds"); do
	for sc in "${scenarios[@]}"; do
		IFS='|' read -r name path conns hdr <<<"$sc"
		# The order of the servers rotates from round to round, so
		# that none always runs first (or right after the heaviest).
		for i in $(seq 0 $((nserv - 1))); do
			s=${slist[$(((i + r - 1) % nserv))]}
			# The ceiling serves no file: 1 KiB rows only.
			[ "$s" = ceiling ] && [ "${name#1k-}" = "$name" ] &&
			    continue
			run_cell "$r" "$name" "$s" "$path" "$conns" "$hdr"
		done
	done
	note "round $r of $rounds done ($(($(date +%s) - t0))s)"
done

declare -A procs
for s in $servers; do
	kill -0 "${spid[$s]}" 2>/dev/null || note "$s died during the run"
	procs[$s]=$(nprocs "$s")
done
elapsed=$(($(date +%s) - t0))

[ -n "$raw" ] && cp "$out" "$raw"

# ---------------------------------------------------------------- table

echo
describe_forkhttpd "$fworkers"
for s in $servers; do
	case $s in
	nginx)	  echo "$("$nginx_bin" -v 2>&1 | head -1); worker_processes $workers" ;;
	lighttpd) echo "$("$lighttpd_bin" -v 2>&1 | head -1); max-worker $lworkers" ;;
	apache)	  echo "$("$apache_bin" -v 2>&1 | head -1 | sed 's/^Server version: //'); prefork, StartServers $workers, up to 256" ;;
	ceiling)  echo "ceiling: the same nginx answering \"return 200\" (no body, no file)" ;;
	esac
done
echo "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//'); -t2 --latency"
echo "$rounds round(s) of ${duration}s per cell, interleaved; medians across" \
    "rounds; $(nproc) CPUs shared by the servers and wrk; ${elapsed}s in all"
echo
pl=
for s in $servers; do pl="$pl $s=${procs[$s]}"; done
awk -F '\t' -v order="${servers}" -v nprocs="$pl" -v probe_s="$probe_s" -v scen="$(printf '%s ' "${scenarios[@]%%|*}")" '
function median(list,    a, n, i, t, j) {
	n = split(list, a, " ")
	if (n == 0) return "NA"
	for (i = 2; i <= n; i++) {		# insertion sort: n is tiny
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == 1 { next }
{
	k = $2 SUBSEP $3
	if ($4 != "NA") {
		rq[k] = rq[k] " " $4; mb[k] = mb[k] " " $5; p9[k] = p9[k] " " $6
		sock[k] += $7 + $8 + $9 + $11; bad[k] += $10
	} else
		failed[k]++
	if ($12 != "-" && $12 != "") pd[$3] = pd[$3] " " $12
	if ($13 != "-" && $13 != "") pa[$3] = pa[$3] " " $13
	pb[k] = pb[k] " " ($14 < 0 ? 1e12 : $14)	# no answer sorts last
	if ($14 < 0) lost[k]++
}
END {
	ns = split(order, sv, " "); nc = split(scen, sc, " ")
	printf "| scenario | server | req/s | MiB/s | p99 ms | new client ms | sock err | non-2xx | forkhttpd ÷ server (req/s) |\n"
	printf "|---|---|--:|--:|--:|--:|--:|--:|--:|\n"
	for (i = 1; i <= nc; i++) {
		fr = median(rq[sc[i] SUBSEP "forkhttpd"])
		for (j = 1; j <= ns; j++) {
			k = sc[i] SUBSEP sv[j]
			if (rq[k] == "" && !failed[k]) continue	# not run (ceiling)
			r = median(rq[k])
			ratio = (sv[j] == "forkhttpd" || r == "NA" || fr == "NA" || r == 0) ? "" : sprintf("%.2f", fr / r)
			q = median(pb[k])
			probe = q >= 1e12 ? sprintf("none in %g s", probe_s) : sprintf("%.1f", q)
			if (lost[k] && q < 1e12) probe = probe sprintf(" (%d none)", lost[k])
			printf "| %s | %s | %s | %s | %s | %s | %d | %d | %s |%s\n", sc[i], sv[j],
			    r == "NA" ? "NA" : sprintf("%.0f", r),
			    median(mb[k]) == "NA" ? "NA" : sprintf("%.1f", median(mb[k])),
			    median(p9[k]) == "NA" ? "NA" : sprintf("%.2f", median(p9[k])),
			    probe, sock[k], bad[k], ratio,
			    failed[k] ? sprintf(" (%d run(s) failed)", failed[k]) : ""
		}
	}
	np = split(nprocs, pp, " ")
	for (j = 1; j <= np; j++) { split(pp[j], kv, "="); pc[kv[1]] = kv[2] }
	printf "\n| server | processes | PSS MiB, 256 conns open | PSS MiB, right after | forkhttpd ÷ server (open) |\n"
	printf "|---|--:|--:|--:|--:|\n"
	fp = median(pd["forkhttpd"])
	for (j = 1; j <= ns; j++) {
		d = median(pd[sv[j]]); a = median(pa[sv[j]])
		printf "| %s | %s | %s | %s | %s |\n", sv[j], pc[sv[j]],
		    d == "NA" ? "NA" : sprintf("%.1f", d / 1024),
		    a == "NA" ? "NA" : sprintf("%.1f", a / 1024),
		    (sv[j] == "forkhttpd" || d == "NA" || fp == "NA" || d == 0) ? "" : sprintf("%.2f", fp / d)
	}
}' "$out"

echo
for s in $servers; do
	case $s in
	forkhttpd|baseline) re='\[(warn|error|crit|alert|emerg)' ;;
	nginx)	   re='\[(warn|error|crit|alert|emerg)\]' ;;
	lighttpd)  re='.' ;;
	apache)	   re='\[[a-z_]*:(warn|error|crit|alert|emerg)\]' ;;
	ceiling)   re='\[(warn|error|crit|alert|emerg)\]' ;;
	esac
	n=$(grep -Ev 'server started|server stopped' "$tmp/$s-error.log" \
	    2>/dev/null | grep -Ec "$re")
	printf '%s: %s process(es) at the end; error log: %s line(s) at warn or worse\n' \
	    "$s" "${procs[$s]}" "$n"
	grep -Ev 'server started|server stopped' "$tmp/$s-error.log" \
	    2>/dev/null | grep -E "$re" | tail -3 | sed 's/^/    /'
done
echo "sock err = wrk's connect + read + write + timeout errors, summed over"
echo "rounds; non-2xx = responses wrk counted as neither 2xx nor 3xx."
echo "A timed-out request has no latency sample: p99 omits it."
echo "new client = curl's time for one GET /1k.bin on a new connection,"
echo "sent half-way through the cell (median over rounds; 'none in T s':"
echo "no answer before curl gave up)."
