#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/chaos.sh - does a server go on serving while its workers are
# killed and its configuration reloaded under load?
#
# forkhttpd, then nginx, each for CHAOS_SECONDS under wrk (keep-alive, a
# 1 KiB file), while this script sends `kill -9` to a random worker every
# 200 ms and HUP (a reload) to the master every 2 s.  It prints, for each:
# requests, failed requests (wrk's socket errors and non-2xx/3xx
# answers), workers killed and the client connections they held when
# killed, reloads, 5xx answers, and the master's RSS and descriptors
# before and after.  A failed request is one that a killed worker took
# with it, so failures must not exceed those connections; and no 5xx.
# It installs nothing and builds nothing; it binds 127.0.0.1 only; it
# stops exactly the processes it started (and the workers those forked),
# on any exit.  See bench/README ("Chaos").
#
#   CHAOS_SECONDS=60 bench/chaos.sh [--servers LIST] [--keep]

set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage()
{
	cat <<EOF
usage: $prog [--servers LIST] [--keep]
  --servers LIST  comma-separated subset of forkhttpd,nginx
                  (default: forkhttpd, and nginx when installed)
  --keep          keep the temporary directory (confs, logs, wrk output)
  -h, --help      this text

Environment:
  CHAOS_SECONDS      seconds of load per server (default 60, at most 600)
  CHAOS_WORKERS      forkhttpd workers = nginx worker_processes (default 4)
  CHAOS_CONNECTIONS  wrk connections (default 64)
  CHAOS_KILL_MS      between two kill -9 (default 200)
  CHAOS_HUP_MS       between two HUPs (default 2000)
  FORKHTTPD_BIN      the binary (default ./build/src/forkhttpd, else
                     ./src/forkhttpd)
Needs: wrk, curl, python3; for the peer, nginx.  On Debian:
  apt-get install -y wrk curl python3 nginx-light
EOF
}

# ---------------------------------------------------------------- options

seconds=${CHAOS_SECONDS:-60}
workers=${CHAOS_WORKERS:-4}
conns=${CHAOS_CONNECTIONS:-64}
kill_ms=${CHAOS_KILL_MS:-200}
hup_ms=${CHAOS_HUP_MS:-2000}
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

check_positive seconds:CHAOS_SECONDS workers:CHAOS_WORKERS \
    conns:CHAOS_CONNECTIONS kill_ms:CHAOS_KILL_MS hup_ms:CHAOS_HUP_MS
[ "$seconds" -le 600 ] || die "CHAOS_SECONDS: at most 600, got $seconds"
[ "$conns" -le 1000 ] || die "CHAOS_CONNECTIONS: at most 1000, got $conns"
[ "$kill_ms" -ge 10 ] || die "CHAOS_KILL_MS: at least 10, got $kill_ms"
[ "$hup_ms" -ge 100 ] || die "CHAOS_HUP_MS: at least 100, got $hup_ms"

# ---------------------------------------------------------------- tools

find_forkhttpd
for t in wrk curl timeout python3; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (see --help)"
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { note "not installed: nginx-light"; nginx_bin=; }
pick_servers "$servers_opt" nginx:"$nginx_bin":nginx
pick_runuser

# ---------------------------------------------------------------- cleanup

tmp=
spid=		# the server running now (its top process), started by us

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
	stop_server
	wait 2>/dev/null
	remove_tmp
}
arm_cleanup
make_tmp chaos

doc=$tmp/htdocs
mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
chmod -R a+rX "$doc"

# wrk counts what it cannot see for itself: 5xx answers, summed over its
# threads at the end.
cat >"$tmp/count.lua" <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n5xx = 0 end
function response(status, headers, body)
	if status >= 500 then n5xx = n5xx + 1 end
end
function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do n = n + t:get("n5xx") end
	local e = summary.errors
	io.write(string.format("chaos requests %d 5xx %d connect %d read %d " ..
	    "write %d status %d timeout %d\n", summary.requests, n, e.connect,
	    e.read, e.write, e.status, e.timeout))
end
EOF

# The chaos, in one process that forks nothing but wrk, so that it keeps
# its pace on a machine wrk and the server keep busy: it runs wrk (the
# rest of its arguments, output in WRK_OUT) and, for as long as wrk
# runs, sends kill -9 to a random child of the master every KILL_MS,
# counting the client connections the child held (its sockets that
# /proc/net/tcp shows established on our port; the child is stopped,
# SIGSTOP, while they are counted), and HUP to the master every HUP_MS.  Prints "killed held hups".
cat >"$tmp/chaos.py" <<'EOF'
import os, random, signal, subprocess, sys, time

master, port = int(sys.argv[1]), int(sys.argv[2])
kill_s, hup_s = float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
out, wrk_args = sys.argv[5], sys.argv[6:]
suffix = ":%04X" % port


def children():
    try:
        with open("/proc/%d/task/%d/children" % (master, master)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def established():
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    w = line.split()
                    if w[3] == "01" and w[1].endswith(suffix):
                        inodes.add(w[9])
        except OSError:
            pass
    return inodes


def conns(pid):
    est, n = established(), 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in est:
                n += 1
    except OSError:
        pass
    return n


with open(out, "w") as f:
    wrk = subprocess.Popen(wrk_args, stdin=subprocess.DEVNULL, stdout=f,
                           stderr=subprocess.STDOUT)
start = time.monotonic()
next_kill, next_hup = start + kill_s, start + hup_s
killed = held = hups = 0
while wrk.poll() is None:
    now = time.monotonic()
    if now >= next_kill:
        pids = children()
        if pids:
            victim = random.choice(pids)
            # Stopped first, it accepts nothing more while its
            # connections are counted: what it holds when it dies.
            try:
                os.kill(victim, signal.SIGSTOP)
                c = conns(victim)
                os.kill(victim, signal.SIGKILL)
                killed += 1
                held += c
            except OSError:
                pass
        next_kill += kill_s
    if now >= next_hup:
        try:
            os.kill(master, signal.SIGHUP)
            hups += 1
        except OSError:
            pass
        next_hup += hup_s
    time.sleep(max(0.0, min(next_kill, next_hup, now + 0.05) -
                   time.monotonic()))
print(killed, held, hups)
EOF

# ---------------------------------------------------------------- servers

start_server()
{
	local s=$1
	port=$(free_port)
	case $s in
	forkhttpd)
		write_forkhttpd_conf "$port" "$workers" \
		    "keepalive-requests = 100000"
		spawn_forkhttpd ;;
	nginx)
		write_nginx_conf "$port" "$workers" \
		    "	keepalive_requests 100000;"
		spawn_nginx ;;
	esac
	spid=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/1k.bin" && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	curl -s -m 2 "http://127.0.0.1:$port/1k.bin" | cmp -s - "$doc/1k.bin" ||
	    die "$s does not serve 1k.bin on port $port (see $tmp/$s.out)"
}

# The master's (spid: in the foreground, for both servers).
rss_kib()
{
	awk '/^VmRSS:/ { print $2 }' /proc/"$spid"/status 2>/dev/null
}

fds()
{
	find /proc/"$spid"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# ---------------------------------------------------------------- a run

run_server()
{
	local s=$1 line
	local rss0 fds0 rss1 fds1
	start_server "$s"
	rss0=$(rss_kib)
	fds0=$(fds)
	# Bounded by wrk's -d, and by timeout(1) if wrk hangs.
	timeout -k 2 $((seconds + 30)) python3 "$tmp/chaos.py" "$spid" \
	    "$port" "$kill_ms" "$hup_ms" "$tmp/$s.wrk" \
	    wrk -t2 -c"$conns" -d"${seconds}s" -s "$tmp/count.lua" \
	    "http://127.0.0.1:$port/1k.bin" \
	    >"$tmp/$s.chaos" 2>"$tmp/$s.chaos.err" </dev/null
	read -r killed held hups <"$tmp/$s.chaos" ||
	    die "$s: the chaos loop gave no result (see $tmp/$s.chaos.err)"
	# The master settles: respawns due, old generations gone (their
	# shutdown-timeout is not waited for; they hold no request).
	sleep 3
	rss1=$(rss_kib)
	fds1=$(fds)
	alive=yes
	kill -0 "$spid" 2>/dev/null || alive=no
	stop_server
	line=$(grep '^chaos requests' "$tmp/$s.wrk") ||
	    die "$s: wrk gave no result (see $tmp/$s.wrk)"
	read -r _ _ req _ x5 _ ec _ er _ ew _ es _ et <<<"$line"
	failed=$((ec + er + ew + es + et))
	printf '| %-9s | %3s s | %9s | %6s | %6s | %5s | %7s | %4s | %5s -> %5s | %3s -> %3s | %s |\n' \
	    "$s" "$seconds" "$req" "$failed" "$killed" "$held" "$hups" "$x5" \
	    "$rss0" "$rss1" "$fds0" "$fds1" "$alive"
	verdict="ok"
	[ "$failed" -le "$held" ] || verdict="$failed failed requests, more than the $held connections the killed workers held"
	[ "$x5" = 0 ] || verdict="$x5 answers 5xx"
	[ "$alive" = yes ] || verdict="the master died"
	# The rule is forkhttpd's; a peer is there for comparison.
	if [ "$verdict" != ok ] && [ "$s" = forkhttpd ]; then
		verdict="FAILED: $verdict"
		status=1
	fi
	verdicts="$verdicts$s: $verdict (wrk errors: connect $ec, read $er, write $ew, non-2xx/3xx $es, timeout $et)
"
}

echo "chaos: $seconds s of wrk -t2 -c$conns (keep-alive, 1 KiB) per server," \
    "kill -9 of a random worker every $kill_ms ms, HUP every $hup_ms ms;" \
    "$workers workers"
describe_forkhttpd "$workers"
[ -n "$nginx_bin" ] && "$nginx_bin" -v 2>&1
echo
echo "| server    | load  | requests  | failed | killed | held  | reloads | 5xx  | master RSS KiB | fds        | alive |"
echo "|-----------|-------|-----------|--------|--------|-------|---------|------|----------------|------------|-------|"
verdicts=
status=0
for s in $servers; do
	run_server "$s"
done
echo
printf '%s' "$verdicts"
exit $status
