#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/tls.sh - forkhttpd against nginx over HTTPS, side by side, with wrk.
#
# Both serve the same files with the same certificate (a throwaway CA and
# an RSA 2048 certificate made here by openssl req), the same protocols
# (TLS 1.2 and 1.3), the same TLS 1.2 ciphers (Mozilla's intermediate
# list, ECDHE and AEAD) and groups (X25519, P-256, P-384), session
# tickets on, and 2 workers each.  Scenarios, in interleaved rounds
# (medians across rounds):
#   new-conn-16   one request per connection (Connection: close): a TLS
#                 handshake each, 16 connections
#   1k-ka-64      1 KiB over keep-alive TLS connections, 64 connections
#   4m-4          a 4 MiB file, 4 connections
# and the memory of an idle TLS connection: the PSS of all of a server's
# processes before and after opening IDLE (default 500) keep-alive TLS
# connections that each made one request, divided by IDLE.
#
# It installs nothing and builds nothing; it binds 127.0.0.1 only; it
# stops exactly the processes it started (and the workers those forked),
# on any exit.
#
#   bench/tls.sh [--rounds N] [--duration S] [--workers N] [--idle N] [--keep]

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage()
{
	cat <<EOF
usage: $prog [options]
  --rounds N     interleaved rounds; medians across them (default 3)
  --duration S   seconds per wrk run (default 5)
  --workers N    workers of each server (default 2)
  --idle N       idle TLS connections for the memory figure (default 500)
  --keep         keep the temporary directory
Needs: wrk, nginx (nginx-light), openssl, python3, curl, ss.
EOF
}

rounds=3
duration=5
workers=2
idle=500
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)	rounds=${2:?}; shift ;;
	--duration)	duration=${2:?}; shift ;;
	--workers)	workers=${2:?}; shift ;;
	--idle)		idle=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done
check_positive rounds:--rounds duration:--duration workers:--workers \
    idle:--idle
[ "$idle" -le 2000 ] || die "--idle: at most 2000"
budget=$((3 * 2 * rounds * duration + 60))
[ "$budget" -le 900 ] || die "about ${budget}s; keep it under 900"

find_forkhttpd
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "nginx is missing: apt-get install -y nginx-light"
for t in wrk openssl python3 curl ss; do
	command -v $t >/dev/null 2>&1 || die "$t is missing"
done

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
make_tmp bench-tls

doc=$tmp/htdocs
mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$doc/4m.bin"
echo ok >"$doc/index.html"
chmod -R a+rX "$doc"
pick_runuser

# The certificate both serve.
pki=$tmp/pki
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=bench CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" >/dev/null 2>&1 &&
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$pki/key.pem" -out "$pki/req.csr" >/dev/null 2>&1 &&
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$pki/ext" &&
openssl x509 -req -in "$pki/req.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 1 -extfile "$pki/ext" -out "$pki/cert.pem" \
    >/dev/null 2>&1 || die "openssl could not make the certificate"

ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

declare -A port spid
port[forkhttpd]=$(free_port)
port[nginx]=$(free_port)
cat >"$tmp/forkhttpd.conf" <<EOF
listen = { "127.0.0.1:${port[forkhttpd]} tls" }
workers = $workers
${runuser:+user = \"$runuser\"}
document-root = "$doc"
pid-file = "$tmp/forkhttpd.pid"
error-log = "$tmp/forkhttpd-error.log"
log-level = "notice"
access-log = "off"
keepalive-timeout = 60
keepalive-requests = 100000
listen-backlog = 511
worker-connections = 4096
tls-certificate = "$pki/cert.pem"
tls-key = "$pki/key.pem"
EOF
write_nginx_conf "${port[nginx]}" "$workers" "$(printf '\t%s\n' \
    "tcp_nopush on;" "keepalive_timeout 60s;" "keepalive_requests 100000;" \
    "ssl_certificate $pki/cert.pem;" "ssl_certificate_key $pki/key.pem;" \
    "ssl_protocols TLSv1.2 TLSv1.3;" "ssl_ciphers $ciphers;" \
    "ssl_ecdh_curve X25519:prime256v1:secp384r1;" \
    "ssl_prefer_server_ciphers off;" "ssl_session_tickets on;")" \
    "ssl backlog=511"
sed -i 's/worker_connections 1024;/worker_connections 4096;/' "$tmp/nginx.conf"

spawn_forkhttpd
pids+=("$!")
spid[forkhttpd]=$!
spawn_nginx
pids+=("$!")
spid[nginx]=$!

for s in forkhttpd nginx; do
	for _ in $(seq 50); do
		curl -s -o /dev/null --cacert "$pki/ca.crt" \
		    "https://127.0.0.1:${port[$s]}/1k.bin" && break
		sleep 0.1
	done
	for f in 1k.bin 4m.bin; do
		curl -s --cacert "$pki/ca.crt" "https://127.0.0.1:${port[$s]}/$f" |
		    cmp -s - "$doc/$f" || die "$s: /$f differs over TLS"
	done
done
grep -h "HTTPS:" "$tmp/forkhttpd.out" "$tmp/forkhttpd-error.log" 2>/dev/null |
    head -1 | sed 's/^/forkhttpd says: /' >&2

pss_kib()
{
	local p files=()
	for p in $(tree "${spid[$1]}"); do
		files+=("/proc/$p/smaps_rollup")
	done
	cat "${files[@]}" 2>/dev/null |
	    awk '/^Pss:/ { t += $2 } END { print t + 0 }'
}

cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\n",
	    summary.requests, summary.duration, summary.bytes,
	    latency:percentile(99.0), e.connect, e.read, e.write,
	    e.status, e.timeout))
end
EOF

scenarios=(
	"new-conn-16|/1k.bin|16|Connection: close"
	"1k-ka-64|/1k.bin|64|"
	"4m-4|/4m.bin|4|"
)
out=$tmp/cells.tsv
: >"$out"

run_cell()
{
	local r=$1 sc=$2 s=$3 path=$4 c=$5 hdr=$6 log res
	local -a args=(-t 2 -c "$c" -d "${duration}s" --latency
	    -s "$tmp/report.lua")
	[ -n "$hdr" ] && args+=(-H "$hdr")
	log=$tmp/wrk.$r.$sc.$s.log
	timeout $((duration + 30)) wrk "${args[@]}" \
	    "https://127.0.0.1:${port[$s]}$path" >"$log" 2>&1 &
	wp=$!
	wait "$wp"
	wp=
	res=$(grep '^RESULT ' "$log" | tail -1)
	[ -n "$res" ] || { note "$r $sc $s: no result"; return; }
	# shellcheck disable=SC2086
	set -- $res
	awk -v r="$r" -v sc="$sc" -v s="$s" -v n="$2" -v d="$3" -v b="$4" \
	    -v p="$5" -v e="$(($6 + $7 + $8 + $9 + ${10}))" 'BEGIN {
		printf "%s\t%s\t%s\t%.0f\t%.2f\t%.3f\t%d\n", r, sc, s,
		    n / (d / 1e6), b / (d / 1e6) / 1048576, p / 1000, e
	}' >>"$out"
}

# Warm-up: a second each.
for s in forkhttpd nginx; do
	timeout 20 wrk -t 2 -c 8 -d 1s "https://127.0.0.1:${port[$s]}/1k.bin" \
	    >/dev/null 2>&1
done
t0=$(date +%s)
slist=(forkhttpd nginx)
for r in $(seq "$rounds"); do
	for sc in "${scenarios[@]}"; do
		IFS='|' read -r name path conns hdr <<<"$sc"
		for i in 0 1; do
			s=${slist[$(((i + r - 1) % 2))]}
			run_cell "$r" "$name" "$s" "$path" "$conns" "$hdr"
		done
	done
	note "round $r of $rounds done ($(($(date +%s) - t0))s)"
done

# Idle TLS connections: PSS before, with them open, per connection.
idle_kib()
{
	local s=$1 before after
	before=$(pss_kib "$s")
	python3 - "${port[$s]}" "$idle" "$pki/ca.crt" "$tmp/idle.$s" <<'EOF' &
import socket, ssl, sys, time
port, n, ca, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
conns = []
deadline = time.monotonic() + 60
for i in range(n):
    if time.monotonic() > deadline:
        break
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
        timeout=10), server_hostname="localhost")
    s.sendall(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
    got = b""
    while not got.endswith(b"ok\n"):
        b = s.recv(4096)
        if not b:
            break
        got += b
    conns.append(s)
open(flag, "w").write("%d\n" % len(conns))
time.sleep(20)
EOF
	local py=$!
	for _ in $(seq 600); do
		[ -s "$tmp/idle.$s" ] && break
		sleep 0.1
	done
	sleep 1
	after=$(pss_kib "$s")
	kill "$py" 2>/dev/null
	wait "$py" 2>/dev/null
	awk -v a="$after" -v b="$before" -v n="$(cat "$tmp/idle.$s" 2>/dev/null || echo 0)" \
	    'BEGIN { if (n > 0) printf "%.1f %d %d %d", (a - b) / n, n, b, a; else print "NA 0 0 0" }'
}
declare -A mem
for s in forkhttpd nginx; do
	mem[$s]=$(idle_kib "$s")
done

echo
describe_forkhttpd "$workers"
echo "$("$nginx_bin" -v 2>&1 | head -1); worker_processes $workers"
echo "$(openssl version); $(wrk -v 2>&1 | head -1)"
echo "$rounds rounds x ${#scenarios[@]} scenarios x ${duration}s, interleaved; medians"
echo
echo "| scenario | server | req/s | MiB/s | p99 ms | errors | forkhttpd ÷ nginx (req/s) |"
echo "|---|---|--:|--:|--:|--:|--:|"
for sc in "${scenarios[@]}"; do
	name=${sc%%|*}
	for s in forkhttpd nginx; do
		awk -F'\t' -v sc="$name" -v s="$s" '$2 == sc && $3 == s' "$out" |
		    sort -t$'\t' -k4,4n | awk -F'\t' -v n="$rounds" \
		    '{ a[NR] = $4; b[NR] = $5; c[NR] = $6; e += $7 }
		    END { m = int((NR + 1) / 2); printf "%s\t%s\t%s\t%s\t%d\n", a[m], b[m], c[m], NR, e }' \
		    >"$tmp/med.$name.$s"
	done
	f=$(cut -f1 "$tmp/med.$name.forkhttpd")
	n=$(cut -f1 "$tmp/med.$name.nginx")
	for s in forkhttpd nginx; do
		IFS=$'\t' read -r rq mb p99 _ err <"$tmp/med.$name.$s"
		ratio=
		[ "$s" = nginx ] && ratio=$(awk -v f="$f" -v n="$n" \
		    'BEGIN { if (n > 0) printf "%.2f", f / n }')
		echo "| $name | $s | $rq | $mb | $p99 | $err | $ratio |"
	done
done
echo
echo "| server | idle TLS connections | PSS before, KiB | PSS with them open, KiB | KiB per idle TLS connection |"
echo "|---|--:|--:|--:|--:|"
for s in forkhttpd nginx; do
	read -r per n b a <<<"${mem[$s]}"
	echo "| $s | $n | $b | $a | $per |"
done
