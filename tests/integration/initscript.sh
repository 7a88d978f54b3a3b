#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# initscript.sh - conf/forkhttpd.init from start to stop against the real
# binary: the LSB exit codes of every action (status 0/1/3 included), a
# synchronous reload that reports a broken conf, restart and stop around a
# broken conf, a stale pid file.
#
# The script is taken from the source tree with its @...@ filled in by sed
# into the scratch directory, and run with DAEMON and CONF in the
# environment; FORKHTTPD_DEFAULTS=/dev/null keeps a real
# /etc/default/forkhttpd out of it.  The server listens on a free
# 127.0.0.1 port and keeps its pid file and logs in the scratch directory;
# as root its workers drop to nobody, as anyone else there is no `user`.
# Every command is bounded in time.  Environment as for site.sh.

: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_SRCDIR:=.}"
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

for tool in curl flock timeout ps; do
	if ! command -v $tool >/dev/null 2>&1; then
		ko "$tool is not installed"
		finish
	fi
done
case $FORKHTTPD_BIN in
/*) ;;
*) FORKHTTPD_BIN=$(pwd)/$FORKHTTPD_BIN ;;
esac
if [ ! -x "$FORKHTTPD_BIN" ]; then
	ko "$FORKHTTPD_BIN is not executable"
	finish
fi
if [ ! -f "$FORKHTTPD_SRCDIR/conf/forkhttpd.init" ]; then
	ko "no $FORKHTTPD_SRCDIR/conf/forkhttpd.init"
	finish
fi

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"

server_scratch initscript || exit 1

# Every master pid seen, so that the exit trap stops whatever the init
# script left running, even when the pid file no longer says.
masters=

# alive PID: the process exists and is not a zombie (a master whose parent
# is a pid 1 that does not reap stays a zombie; it is gone all the same).
alive() {
	[ -n "$1" ] && [ -d "/proc/$1" ] &&
	    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' \
	    "/proc/$1/status" 2>/dev/null)" != Z ]
}

# children PID: the worker pids of a master, sorted, one line.
children() {
	ps -o pid= --ppid "$1" 2>/dev/null | sort -n | tr -s ' \n' ' '
}

# shellcheck disable=SC2317	# called from the EXIT trap
# kill_masters: TERM every master seen that is still alive, 5 s, then KILL
# it and its workers.
kill_masters() {
	for m in $masters; do
		alive "$m" || continue
		kill -TERM "$m" 2>/dev/null
		i=0
		while [ "$i" -lt 50 ] && alive "$m"; do
			sleep 0.1
			i=$((i + 1))
		done
		if alive "$m"; then
			for w in $(children "$m"); do
				kill -KILL "$w" 2>/dev/null
			done
			kill -KILL "$m" 2>/dev/null
		fi
	done
}

# shellcheck disable=SC2317	# the EXIT trap
cleanup() {
	kill_masters
	server_cleanup initscript.sh "$fail"
}
trap cleanup EXIT
trap 'fail=$((fail + 1)); exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 5 "$@"; }

# The init script as make install writes it: every @var@ replaced.  The
# values do not matter (DAEMON and CONF come from the environment) except
# that none may be left over, which would mean the Makefile's sed list and
# the script disagree.
init=$dir/forkhttpd.init
sed -e "s|@sbindir@|$(dirname "$FORKHTTPD_BIN")|g" \
    -e "s|@sysconfdir@|$dir/etc|g" \
    -e "s|@runstatedir@|$dir/run|g" \
    "$FORKHTTPD_SRCDIR/conf/forkhttpd.init" >"$init" && chmod 0755 "$init"
if grep -n '@[a-z_]*@' "$init"; then
	ko "the init script has @...@ left that make install would not fill"
else
	ok "the init script's @...@ are all filled"
fi

mkdir -p "$dir/htdocs"
marker="initscript $$"
echo "$marker" >"$dir/htdocs/index.html"
chmod -R a+rX "$dir/htdocs"

conf=$dir/forkhttpd.conf
pidfile=$dir/forkhttpd.pid

# write_conf WORKERS: the conf for port $port.  pid-file is relative on
# purpose: the init script must resolve it against the conf's directory
# as the server does.
write_conf() {
	{
		echo "# written by tests/integration/initscript.sh"
		echo "listen = { \"127.0.0.1:$port\" }"
		echo "workers = $1"
		echo "document-root = \"htdocs\""
		echo "pid-file = \"forkhttpd.pid\"   # relative"
		echo "error-log = \"error.log\""
		echo "access-log = \"access.log\""
		echo "log-level = \"info\""
		if [ "$(id -u)" -eq 0 ]; then
			echo "user = \"nobody\""
		fi
	} >"$conf"
}

# run ACTION...: the init script, its output in $dir/out and the output's
# text in out, its exit status in rc.
run() {
	timeout 30 env DAEMON="$FORKHTTPD_BIN" CONF="$conf" \
	    FORKHTTPD_DEFAULTS=/dev/null "$init" "$@" >"$dir/out" 2>&1
	rc=$?
	out=$(cat "$dir/out")
}

# expect WHAT CODE: rc is CODE, or a failure that shows the output.
expect() {
	if [ "$rc" -eq "$2" ]; then
		ok "$1: exit $rc"
	else
		ko "$1: exit $rc, expected $2; it said:"
		sed 's/^/    /' "$dir/out"
	fi
}

answers() {
	[ "$(c "http://127.0.0.1:$port/" 2>/dev/null)" = "$marker" ]
}
check_answers() {
	if answers; then
		ok "$1: the server answers"
	else
		ko "$1: the server does not answer on 127.0.0.1:$port"
		server_logs
	fi
}
check_gone() {
	if c -o /dev/null "http://127.0.0.1:$port/"; then
		ko "$1: something still answers on 127.0.0.1:$port"
	else
		ok "$1: nothing answers any more"
	fi
}

# master: the pid in the pid file, if that process is alive.
master=
read_master() {
	master=
	read -r master <"$pidfile" 2>/dev/null
	if alive "$master"; then
		case " $masters " in
		*" $master "*) ;;
		*) masters="$masters $master" ;;
		esac
	else
		master=
	fi
}

# contains WHAT TEXT: the last output has TEXT.
contains() {
	case $out in
	*"$2"*) ok "$1: says \"$2\"" ;;
	*) ko "$1: does not say \"$2\"; it said: $out" ;;
	esac
}

# --- before anything runs
run status
expect "status before start" 3

# --- start, on a free port (another try if it turns out to be taken)
for _ in 1 2 3; do
	port=$(server_free_port)
	write_conf 2
	run start
	[ "$rc" -eq 0 ] && break
	grep -q "in use" "$dir/out" "$dir/error.log" 2>/dev/null || break
done
expect start 0
if [ "$rc" -ne 0 ]; then
	server_logs
	finish
fi
echo "initscript.sh: forkhttpd on 127.0.0.1:$port, conf $conf"
check_answers start
read_master
if [ -n "$master" ]; then
	ok "start: the pid file names a live process ($master)"
else
	ko "start: no live process in $pidfile"
	finish
fi
first=$master

run start
expect "start when running" 0
contains "start when running" "already running"
read_master
if [ "$master" = "$first" ]; then
	ok "start when running: the same master"
else
	ko "start when running: master $first became ${master:-none}"
fi

run status
expect "status when running" 0
contains "status when running" "running (pid $first)"

# The defaults file is sourced and wins; without Debian's functions the
# messages are plain echo.
echo "CONF='$conf'" >"$dir/defaults"
timeout 30 env DAEMON="$FORKHTTPD_BIN" CONF=/nonexistent \
    FORKHTTPD_DEFAULTS="$dir/defaults" FORKHTTPD_INIT_FUNCTIONS=/nonexistent \
    "$init" status >"$dir/out" 2>&1
rc=$?
out=$(cat "$dir/out")
expect "status, CONF from the defaults file, plain messages" 0
if [ "$out" = "forkhttpd is running (pid $first)" ]; then
	ok "status, plain messages: \"$out\""
else
	ko "status, plain messages: \"$out\""
fi

# --- reload: a new generation of workers under the same master
before=$(children "$first")
run reload
expect reload 0
check_answers reload
read_master
if [ "$master" = "$first" ]; then
	ok "reload: the same master"
else
	ko "reload: master $first became ${master:-none}"
fi
# The old generation may take a moment to finish; a new pid must appear.
i=0
renewed=
while [ "$i" -lt 50 ]; do
	for w in $(children "$first"); do
		case " $before " in
		*" $w "*) ;;
		*) renewed=$w ;;
		esac
	done
	[ -n "$renewed" ] && break
	sleep 0.1
	i=$((i + 1))
done
if [ -n "$renewed" ]; then
	ok "reload: new workers (before: $before; new: $renewed)"
else
	ko "reload: no new worker within 5 s (workers: $before)"
fi

# --- a broken conf: reload and restart fail and say why, nothing changes
cp "$conf" "$dir/good.conf"
write_conf 0
run reload
if [ "$rc" -ne 0 ]; then
	ok "reload, broken conf: exit $rc"
else
	ko "reload, broken conf: exit 0"
fi
contains "reload, broken conf" "workers"
check_answers "reload, broken conf"
run configtest
if [ "$rc" -ne 0 ]; then
	ok "configtest, broken conf: exit $rc"
else
	ko "configtest, broken conf: exit 0"
fi
contains "configtest, broken conf" "workers"
run restart
if [ "$rc" -ne 0 ]; then
	ok "restart, broken conf: refused, exit $rc"
else
	ko "restart, broken conf: exit 0"
fi
check_answers "restart, broken conf"
read_master
if [ "$master" = "$first" ]; then
	ok "reload and restart, broken conf: the same master"
else
	ko "reload and restart, broken conf: master $first became ${master:-none}"
fi

# A conf that passes -t but that the master cannot apply (the error log in
# a missing directory): the refusal comes from the master's report, and
# the old generation keeps serving, untouched.
sed 's|^error-log = .*|error-log = "missing/error.log"|' "$dir/good.conf" \
    >"$conf"
before=$(children "$first")
run reload
if [ "$rc" -ne 0 ]; then
	ok "reload, conf refused by the master: exit $rc"
else
	ko "reload, conf refused by the master: exit 0"
fi
contains "reload, conf refused by the master" "missing/error.log"
check_answers "reload, conf refused by the master"
after=$(children "$first")
if [ "$after" = "$before" ]; then
	ok "reload, conf refused by the master: the same workers ($after)"
else
	ko "reload, conf refused by the master: workers $before became $after"
fi

cp "$dir/good.conf" "$conf"
run configtest
expect "configtest, conf restored" 0

# --- restart: a new master
run restart
expect restart 0
check_answers restart
read_master
if [ -n "$master" ] && [ "$master" != "$first" ]; then
	ok "restart: a new master ($first -> $master)"
else
	ko "restart: master $first -> ${master:-none}"
fi
if alive "$first"; then
	ko "restart: the old master $first is still alive"
else
	ok "restart: the old master is gone"
fi

# --- stop
second=$master
run stop
expect stop 0
check_gone stop
if [ -z "$second" ]; then
	ko "stop: there was no master to stop"
elif alive "$second"; then
	ko "stop: master $second is still alive"
else
	ok "stop: the master is gone"
fi
run status
expect "status after stop" 3

# --- not running: reload fails with 7, try-restart does nothing
run reload
expect "reload when not running" 7
run try-restart
expect "try-restart when not running" 0
run status
expect "status after try-restart when not running" 3

# --- a stale pid file: the pid of a process that has exited
dead=$(sh -c 'echo $$')
if alive "$dead"; then
	ko "pid $dead, of an exited process, is alive again"
fi
echo "$dead" >"$pidfile"
run status
expect "status, stale pid file" 1
contains "status, stale pid file" "$pidfile"
run stop
expect "stop, stale pid file" 0

# The lock, not the file, says who runs: a start over the stale file works.
run start
expect "start over a stale pid file" 0
check_answers "start over a stale pid file"
read_master
third=$master
if [ -n "$third" ] && [ "$third" != "$dead" ]; then
	ok "start over a stale pid file: pid file rewritten ($third)"
else
	ko "start over a stale pid file: the pid file says $(cat "$pidfile")"
fi

# --- stop while the conf is broken: the server must still go
write_conf 0
run stop
expect "stop, broken conf" 0
check_gone "stop, broken conf"
if [ -z "$third" ]; then
	ko "stop, broken conf: there was no master to stop"
elif alive "$third"; then
	ko "stop, broken conf: master $third is still alive"
else
	ok "stop, broken conf: the master is gone"
fi
cp "$dir/good.conf" "$conf"
run status
expect "status after stop, broken conf" 3

run stop
expect "stop when not running" 0

# --- arguments
run frobnicate
expect "unknown action" 2
contains "unknown action" "Usage:"
run
expect "no action" 2

finish
