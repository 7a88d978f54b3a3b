#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/attack.sh - does a server stay available under slow-client attacks?
#
# forkhttpd, nginx and Apache (prefork), each in turn, under slowhttptest's
# slowloris, slow body and slow read attacks, while a probe opens a new
# connection for GET / every 100 ms.  See bench/README ("Slow clients").
# It installs nothing and builds nothing; it binds and attacks 127.0.0.1
# only; it stops exactly the processes it started (and the workers those
# forked), on any exit.
#
#   ATTACK_SECONDS=30 bench/attack.sh [--servers LIST] [--keep]

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage()
{
	cat <<EOF
usage: $prog [--servers LIST] [--keep]
  --servers LIST  comma-separated subset of forkhttpd,nginx,apache
                  (default: forkhttpd and every peer installed)
  --keep          keep the temporary directory (confs, logs, slowhttptest's
                  CSV files)
  -h, --help      this text

Environment:
  ATTACK_SECONDS      seconds each attack lasts (default 30, at most 35)
  ATTACK_WORKERS      forkhttpd workers = nginx worker_processes = Apache
                      StartServers (default 4)
  APACHE_MAX_WORKERS  Apache MaxRequestWorkers (default 150, Apache's own)
  FORKHTTPD_BIN       the binary (default ./build/src/forkhttpd, else
                      ./src/forkhttpd)
Needs: slowhttptest, python3, curl, ss; for the peers, nginx and apache2.
On Debian:
  apt-get install -y slowhttptest nginx-light apache2
EOF
}

# ---------------------------------------------------------------- options

seconds=${ATTACK_SECONDS:-30}
workers=${ATTACK_WORKERS:-4}
amax=${APACHE_MAX_WORKERS:-150}
servers_opt=
keep=0

while [ $# -gt 0 ]; do
	case $1 in
	--servers)	servers_opt=${2:?}; shift ;;
	--keep)		keep=1 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done

check_positive seconds:ATTACK_SECONDS workers:ATTACK_WORKERS \
    amax:APACHE_MAX_WORKERS
# A cell takes the attack and about 3 s more; at worst (every bound
# reached) 15 s to start and check the server, the attack and 7 s for
# slowhttptest and the probe, 6 s to stop the server: 9 cells of 35 s
# stay under 10 minutes even then.
[ "$seconds" -le 35 ] || die "ATTACK_SECONDS: at most 35, got $seconds"

# ---------------------------------------------------------------- tools

find_forkhttpd

for t in slowhttptest python3 curl ss timeout setsid; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (see --help)"
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
apache_bin=$(command -v apache2 2>/dev/null || echo /usr/sbin/apache2)
apache_mods=/usr/lib/apache2/modules
missing=
[ -x "$nginx_bin" ] || { missing="$missing nginx-light"; nginx_bin=; }
if ! [ -x "$apache_bin" ] || ! [ -f "$apache_mods/mod_mpm_prefork.so" ]; then
	missing="$missing apache2"
	apache_bin=
fi
[ -z "$missing" ] || note "not installed:$missing  (apt-get install -y$missing)"

pick_servers "$servers_opt" nginx:"$nginx_bin":nginx \
    apache:"$apache_bin":apache2

# 1000 attacking sockets in slowhttptest, as many accepted ones in the
# servers (nginx's 4 x 1024 worker_connections), and the probes'.
want_fds=8192
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want_fds" ]; then
	ulimit -n "$want_fds" 2>/dev/null ||
	    ulimit -n "$(ulimit -Hn)" 2>/dev/null
fi
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 2048 ] ||
    die "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); 1000 connections" \
	"need at least 2048"

# ---------------------------------------------------------------- cleanup

tmp=
spid=		# the server running now (its top process), started by us
apid=		# slowhttptest and the probe, under timeout(1)
ppid_=

# The server running now and its workers, then reaped.
stop_server()
{
	[ -n "$spid" ] || return 0
	stop_tree "$spid"
	wait "$spid" 2>/dev/null
	spid=
}

cleanup()
{
	trap - EXIT INT TERM HUP
	[ -n "$apid" ] && kill -TERM "$apid" 2>/dev/null
	[ -n "$ppid_" ] && kill -TERM "$ppid_" 2>/dev/null
	stop_server
	wait 2>/dev/null
	remove_tmp
}
arm_cleanup
make_tmp attack

# ---------------------------------------------------------------- docroot

# index.html is what the probe and the first two attacks ask for; 1m.bin
# is what slow read asks for: its responses must be larger than what the
# kernel buffers on both sides, or the server is done with them at once
# and the attack costs it nothing.
doc=$tmp/htdocs
mkdir -p "$doc"
printf '<!DOCTYPE html>\n<title>ok</title>\n<p>ok</p>\n' >"$doc/index.html"
head -c $((1024 * 1024)) /dev/urandom >"$doc/1m.bin"
chmod -R a+rX "$doc"

pick_runuser

# ---------------------------------------------------------------- confs

# Each server keeps its own defaults for every timeout: the question is
# what one gets out of the box.  Only the process counts are set, and the
# paths that must not touch the system's: forkhttpd and nginx get lib.sh's
# confs as they are.  nginx's worker_connections is 1024 there (Debian's
# nginx.conf says 768): 1000 attacking connections must not by themselves
# fill a worker.

# Debian's stock apache2 as far as it matters here: mpm_prefork with
# Debian's mpm_prefork.conf but StartServers = ATTACK_WORKERS (Debian: 5),
# MaxRequestWorkers 150; apache2.conf's Timeout 300, KeepAlive On,
# MaxKeepAliveRequests 100, KeepAliveTimeout 5; mod_reqtimeout, which
# Debian enables, with its reqtimeout.conf.
write_apache_conf()
{
	mkdir -p "$tmp/apache/run"
	cat >"$tmp/apache.conf" <<EOF
ServerRoot "$tmp/apache"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$tmp/apache.pid"
ErrorLog "$tmp/apache-error.log"
LogLevel warn
DefaultRuntimeDir "$tmp/apache/run"
Mutex file:$tmp/apache/run default
LoadModule mpm_prefork_module $apache_mods/mod_mpm_prefork.so
LoadModule authz_core_module $apache_mods/mod_authz_core.so
LoadModule dir_module $apache_mods/mod_dir.so
LoadModule mime_module $apache_mods/mod_mime.so
LoadModule reqtimeout_module $apache_mods/mod_reqtimeout.so
${runuser:+User $runuser}
${runuser:+Group $rungroup}
StartServers $workers
MinSpareServers 5
MaxSpareServers 10
MaxRequestWorkers $amax
ServerLimit $amax
MaxConnectionsPerChild 0
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500
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

# ---------------------------------------------------------------- servers

start_server()
{
	local s=$1
	port=$(free_port)
	case $s in
	forkhttpd)
		write_forkhttpd_conf "$port" "$workers"
		spawn_forkhttpd
		;;
	nginx)
		write_nginx_conf "$port" "$workers"
		spawn_nginx
		;;
	apache)
		write_apache_conf
		# In its own session: prefork's parent, told to stop, sends
		# TERM to its whole process group, which would be ours.  Not
		# a group leader, setsid(1) execs apache2 in place, so $! is
		# Apache's parent.
		setsid "$apache_bin" -f "$tmp/apache.conf" -DFOREGROUND \
		    >"$tmp/apache.out" 2>&1 </dev/null &
		;;
	esac
	spid=$!
}

# Up when GET / is 200 with index.html, and GET /1m.bin the whole file;
# given 10 s.
check_server()
{
	local s=$1 code end=$((SECONDS + 10))
	while :; do
		kill -0 "$spid" 2>/dev/null ||
		    { cat "$tmp/$s.out" >&2; die "$s exited at start-up"; }
		code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' \
		    "http://127.0.0.1:$port/" 2>/dev/null)
		[ "$code" = 200 ] || [ "$SECONDS" -ge "$end" ] && break
		sleep 0.1
	done
	[ "$code" = 200 ] || die "$s does not answer on port $port"
	[ "$(cat "/proc/$spid/comm" 2>/dev/null)" != setsid ] ||
	    die "$s: setsid forked; its process is not ours to stop"
	curl -s -m 2 "http://127.0.0.1:$port/" | cmp -s - "$doc/index.html" ||
	    die "$s: / is not index.html"
	curl -s -m 2 "http://127.0.0.1:$port/1m.bin" | cmp -s - "$doc/1m.bin" ||
	    die "$s: /1m.bin differs from the file"
}

# ---------------------------------------------------------------- probe

# Every 100 ms for SECONDS, a new connection sends GET / with "Connection:
# close"; it counts as answered when a 2xx status line and the end of the
# response (the server's close) arrive within 2 s of its start.  Each
# probe runs in its own thread, so that a stuck one does not delay the
# next: at most 20 are in flight.  Prints "sent answered" and, on stderr,
# why the others failed.
cat >"$tmp/probe.py" <<'EOF'
import socket, sys, threading, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
INTERVAL, TIMEOUT = 0.1, 2.0
lock = threading.Lock()
answered, why = 0, {}
req = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
       "Connection: close\r\n\r\n" % port).encode()

def fail(reason):
	with lock:
		why[reason] = why.get(reason, 0) + 1

def probe():
	global answered
	end = time.monotonic() + TIMEOUT
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	try:
		s.settimeout(TIMEOUT)
		s.connect(("127.0.0.1", port))
		s.sendall(req)
		data = b""
		while True:
			left = end - time.monotonic()
			if left <= 0:
				raise socket.timeout()
			s.settimeout(left)
			b = s.recv(65536)
			if not b:
				break
			data += b
		if data[:10] in (b"HTTP/1.1 2", b"HTTP/1.0 2"):
			with lock:
				answered += 1
		else:
			fail("status " + data[9:12].decode("latin-1", "replace"))
	except socket.timeout:
		fail("timeout")
	except OSError as e:
		fail(type(e).__name__)
	finally:
		s.close()

start = time.monotonic()
threads = []
n = 0
while True:
	t0 = start + n * INTERVAL
	if t0 >= start + seconds:
		break
	d = t0 - time.monotonic()
	if d > 0:
		time.sleep(d)
	t = threading.Thread(target=probe, daemon=True)
	t.start()
	threads.append(t)
	n += 1
for t in threads:
	t.join(TIMEOUT + 1)
print(n, answered)
print("failed: " + (", ".join("%s %d" % kv for kv in sorted(why.items()))
      or "none"), file=sys.stderr)
EOF

# ---------------------------------------------------------------- attacks

# name|slowhttptest arguments (the URL is added)|path
attacks=(
	"slowloris|-H -c 1000 -r 200 -i 5|/"
	"slow body|-B -c 1000 -r 200 -i 5 -s 8192|/"
	"slow read|-X -c 1000 -r 200 -w 512 -y 1024 -n 5 -z 32 -k 3|/1m.bin"
)

declare -A result peak died

# run_cell ATTACK SERVER ARGS PATH
run_cell()
{
	local a=$1 s=$2 args=$3 path=$4 tag res n csv
	tag=$(printf '%s.%s' "${a// /-}" "$s")
	start_server "$s"
	check_server "$s"
	# shellcheck disable=SC2086	# ARGS are words on purpose
	timeout -k 2 $((seconds + 5)) slowhttptest $args -l "$seconds" \
	    -p 2 -g -o "$tmp/$tag" -u "http://127.0.0.1:$port$path" \
	    >"$tmp/$tag.slowhttptest.log" 2>&1 </dev/null &
	apid=$!
	timeout -k 2 $((seconds + 5)) python3 "$tmp/probe.py" "$port" \
	    "$seconds" >"$tmp/$tag.probe" 2>"$tmp/$tag.probe.err" </dev/null &
	ppid_=$!
	wait "$ppid_"
	ppid_=
	wait "$apid"
	apid=
	if kill -0 "$spid" 2>/dev/null; then
		died[$a|$s]=
	else
		died[$a|$s]=" (died)"
		note "$a, $s: the server died during the attack"
	fi
	stop_server
	res=$(tail -n 1 "$tmp/$tag.probe")
	n=${res%% *}
	case $res in
	*[0-9]\ [0-9]*) result[$a|$s]="${res#* }/$n" ;;
	*)		result[$a|$s]="no result"
			note "$a, $s: the probe gave no result" ;;
	esac
	# slowhttptest's CSV: seconds,closed,pending,connected,available.
	csv=$tmp/$tag.csv
	if [ -f "$csv" ]; then
		peak[$a|$s]=$(awk -F, 'NR > 1 && $4 + 0 > m { m = $4 + 0 }
		    END { print m + 0 }' "$csv")
	else
		peak[$a|$s]="?"
		note "$a, $s: slowhttptest wrote no CSV (see below)"
		sed 's/^/    /' "$tmp/$tag.slowhttptest.log" | tail -n 5 >&2
	fi
	note "$a, $s: ${result[$a|$s]} probes answered," \
	    "$(cat "$tmp/$tag.probe.err"); attack connections at most" \
	    "${peak[$a|$s]}"
}

# ---------------------------------------------------------------- run

read -r -a slist <<<"$servers"
note "forkhttpd: $fbin (from $fsrc)"
note "servers: ${slist[*]}; ${#attacks[@]} attacks x ${seconds}s each;" \
    "about $(( ${#attacks[@]} * ${#slist[@]} * (seconds + 5) ))s"
t0=$(date +%s)
for at in "${attacks[@]}"; do
	IFS='|' read -r name args path <<<"$at"
	for s in "${slist[@]}"; do
		run_cell "$name" "$s" "$args" "$path"
	done
done
elapsed=$(($(date +%s) - t0))

# ---------------------------------------------------------------- table

echo
describe_forkhttpd "$workers"
for s in "${slist[@]}"; do
	case $s in
	nginx)	echo "$("$nginx_bin" -v 2>&1 | head -n 1);" \
		    "worker_processes $workers" ;;
	apache)	echo "$("$apache_bin" -v 2>&1 | head -n 1 |
		    sed 's/^Server version: //'); prefork," \
		    "StartServers $workers, MaxRequestWorkers $amax" ;;
	esac
done
echo "slowhttptest $(slowhttptest -h 2>&1 | grep -m 1 -o 'version [^ ]*');" \
    "${seconds}s per attack, 1000 connections at 200/s; $(nproc) CPUs" \
    "shared by server, attacker and probe; ${elapsed}s in all"

# table ARRAY: ARRAY[attack|server] as a table, an attack a row.
table()
{
	local -n cell=$1
	local at name s hdr="| attack |" sep="|---|" row

	for s in "${slist[@]}"; do
		hdr="$hdr $s |"
		sep="$sep--:|"
	done
	echo "$hdr"
	echo "$sep"
	for at in "${attacks[@]}"; do
		name=${at%%|*}
		row="| $name |"
		for s in "${slist[@]}"; do
			row="$row ${cell[$name|$s]} |"
		done
		echo "$row"
	done
}

for k in "${!result[@]}"; do
	result[$k]+=${died[$k]}
done
echo
table result
echo
echo "Probes answered/sent: a new connection for GET / every 100 ms during"
echo "the attack, answered = a 2xx response, whole, within 2 s."
echo
echo "Attack connections open at most (slowhttptest's count):"
echo
table peak
