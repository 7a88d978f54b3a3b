# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2154	# the caller's variables, below
# bench/lib.sh - what bench/run.sh, attack.sh and chaos.sh share, sourced by
# each right after `set -u` and `top` (the top of the source tree).  It
# defines functions and sets prog and used_ports; it runs nothing else.
# The functions read the caller's top, tmp, keep (1: keep $tmp), doc
# (the document root), runuser and rungroup, fbin and nginx_bin.
#
#   die MSG...          MSG on stderr after "$prog: ", then exit 2
#   note MSG...         MSG on stderr after "$prog: "
#   check_positive VAR:LABEL...
#                       dies unless each VAR holds a positive integer
#                       (LABEL names it in the message: an option or an
#                       environment variable)
#   find_forkhttpd      sets fbin to $FORKHTTPD_BIN, else
#                       $top/build/src/forkhttpd, else $top/src/forkhttpd,
#                       and fsrc to which of them it was, for the report;
#                       dies when there is none or it is not executable
#   pick_servers OPT NAME:BIN:PROGRAM...
#                       sets servers (space-separated) to the
#                       comma-separated list OPT, or when OPT is empty to
#                       forkhttpd and each peer NAME whose BIN is not
#                       empty (found); dies on an unknown name, or on a
#                       peer whose BIN is empty ("PROGRAM is not
#                       installed")
#   arm_cleanup         runs the script's cleanup() on every exit, and
#                       turns INT, TERM and HUP into an exit (130, 143)
#   make_tmp NAME       tmp = a new /tmp/forkhttpd-NAME.XXXXXX, mode 755
#                       (workers that run as nobody read the docroot in it)
#   remove_tmp          removes $tmp, or with keep=1 says where it is kept
#   pick_runuser        runuser and rungroup: nobody and its group when we
#                       are root (forkhttpd never lets its workers run as
#                       root), else empty (the servers run as we do)
#   free_port           prints a loopback port with no socket on it, never
#                       the same one twice in a run (see used_ports)
#   tree PID...         every live process whose ancestry leads to a PID,
#                       the PIDs included: a master and the workers it
#                       forked (and nothing else, ever)
#   stop_tree PID...    TERM to each PID, up to 5 s for all of their trees
#                       to go, then KILL to each process still there; the
#                       caller reaps (wait)
#   write_forkhttpd_conf PORT WORKERS [LINES [NAME]]
#                       $tmp/forkhttpd.conf: PORT on 127.0.0.1, a fixed
#                       pool of WORKERS, $doc, pid file and error log in
#                       $tmp, no access log; LINES (the script's own keys)
#                       at the end
#   write_nginx_conf PORT WORKERS [HTTP-LINES] [LISTEN-PARAMS]
#                       $tmp/nginx.conf (prefix $tmp/nginx/) the same way:
#                       in the foreground, worker_connections 1024, every
#                       path in $tmp; HTTP-LINES at the end of sendfile's
#                       block, LISTEN-PARAMS after the listen address
#   spawn_forkhttpd [BIN NAME], spawn_nginx
#                       start the server on its conf in the background,
#                       output in $tmp/NAME.out: $! is its top process
#   describe_forkhttpd WORKERS
#                       prints the report's line on the binary: version,
#                       which file, when built, the tree's revision

prog=${0##*/}

die()
{
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 2
}

note()
{
	printf '%s: %s\n' "$prog" "$*" >&2
}

check_positive()
{
	local v name
	for v in "$@"; do
		name=${v%%:*}
		case ${!name} in
		''|*[!0-9]*|0)
			die "${v#*:}: expected a positive integer, got '${!name}'" ;;
		esac
	done
}

# ---------------------------------------------------------------- tools

find_forkhttpd()
{
	if [ -n "${FORKHTTPD_BIN:-}" ]; then
		fbin=$FORKHTTPD_BIN
		fsrc="\$FORKHTTPD_BIN"
	elif [ -x "$top/build/src/forkhttpd" ]; then
		fbin=$top/build/src/forkhttpd
		fsrc="./build/src/forkhttpd"
	elif [ -x "$top/src/forkhttpd" ]; then
		fbin=$top/src/forkhttpd
		fsrc="./src/forkhttpd"
	else
		die "no forkhttpd binary: build it first, or set FORKHTTPD_BIN"
	fi
	[ -x "$fbin" ] || die "$fbin: not executable"
}

pick_servers()
{
	local opt=$1 peer s known name bin what
	shift
	if [ -n "$opt" ]; then
		servers=${opt//,/ }
	else
		servers="forkhttpd"
		for peer in "$@"; do
			IFS=: read -r name bin what <<<"$peer"
			[ -n "$bin" ] && servers="$servers $name"
		done
	fi
	for s in $servers; do
		[ "$s" = forkhttpd ] && continue
		known=
		for peer in "$@"; do
			IFS=: read -r name bin what <<<"$peer"
			[ "$name" = "$s" ] || continue
			known=1
			[ -n "$bin" ] || die "$what is not installed"
		done
		[ -n "$known" ] || die "--servers: unknown server '$s'"
	done
}

# ---------------------------------------------------------------- cleanup

arm_cleanup()
{
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

make_tmp()
{
	tmp=$(mktemp -d "/tmp/forkhttpd-$1.XXXXXX") || die "mktemp failed"
	chmod 755 "$tmp"
}

remove_tmp()
{
	[ -n "$tmp" ] || return 0
	if [ "$keep" = 1 ]; then
		note "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

pick_runuser()
{
	if [ "$(id -u)" = 0 ]; then
		runuser=nobody
		rungroup=$(id -gn nobody 2>/dev/null || echo nogroup)
	else
		runuser=
		rungroup=
	fi
}

# The ports free_port has handed out: each server gets its own, even
# before the one started last has bound it.
used_ports=" "

# Below the kernel's ephemeral range (net.ipv4.ip_local_port_range,
# 32768 and up by default), where the clients' own connections live (wrk,
# slowhttptest, the probes): a port one of those holds cannot be bound,
# and a listener check alone does not see it.  Any socket on the port
# rules it out.
free_port()
{
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		case $used_ports in *" $p "*) continue ;; esac
		if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			used_ports="$used_ports$p "
			echo "$p"
			return
		fi
	done
}

tree()
{
	local p c
	for p in "$@"; do
		[ -d "/proc/$p" ] || continue
		echo "$p"
		# shellcheck disable=SC2013	# the file is one line of pids
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
			tree "$c"
		done
	done
}

# The trees are taken before the TERM: a worker whose master is gone has
# a new parent and would no longer be found.
stop_tree()
{
	local p all alive
	all=$(tree "$@")
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for _ in $(seq 50); do
		alive=0
		for p in $all; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in $all; do
		kill -KILL "$p" 2>/dev/null
	done
}

# ---------------------------------------------------------------- servers

write_forkhttpd_conf()
{
	local name=${4:-forkhttpd}
	cat >"$tmp/$name.conf" <<EOF
listen = { "127.0.0.1:$1" }
workers = $2
${runuser:+user = \"$runuser\"}
document-root = "$doc"
pid-file = "$tmp/$name.pid"
error-log = "$tmp/$name-error.log"
log-level = "notice"
access-log = "off"
${3:-}
EOF
}

write_nginx_conf()
{
	mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
	cat >"$tmp/nginx.conf" <<EOF
${runuser:+user $runuser $rungroup;}
worker_processes $2;
daemon off;
master_process on;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log notice;
events {
	worker_connections 1024;
}
http {
	types { application/octet-stream bin; text/html html; }
	default_type application/octet-stream;
	access_log off;
	sendfile on;
${3:-}
	client_body_temp_path $tmp/nginx/tmp/body;
	proxy_temp_path $tmp/nginx/tmp/proxy;
	fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
	uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
	scgi_temp_path $tmp/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$1${4:+ $4};
		root $doc;
		index index.html;
	}
}
EOF
}

spawn_forkhttpd()
{
	local bin=${1:-$fbin} name=${2:-forkhttpd}
	"$bin" -n -f "$tmp/$name.conf" \
	    >"$tmp/$name.out" 2>&1 </dev/null &
}

spawn_nginx()
{
	"$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx-error.log" \
	    -c "$tmp/nginx.conf" >"$tmp/nginx.out" 2>&1 </dev/null &
}

# ---------------------------------------------------------------- report

describe_forkhttpd()
{
	local rev
	rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
	echo "$("$fbin" -V 2>&1 | head -n 1) ($fsrc, built $(date -u -r "$fbin" \
	    '+%Y-%m-%d %H:%M UTC'), tree $rev); workers $1"
}
