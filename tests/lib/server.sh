# SPDX-License-Identifier: BSD-2-Clause
# server.sh - sourced by the shell tests that run a server (forkhttpd, or
# nginx by hand) on a free 127.0.0.1 port in a scratch directory.  Sourcing
# it only defines functions and empty defaults; the caller keeps its own way
# of counting and reporting, and calls, in order:
#
#   server_scratch TAG   makes $FORKHTTPD_BUILDDIR/tests/tmp/TAG.XXXXXX,
#                        sets dir to its absolute path
#   trap ... EXIT        a handler that calls server_cleanup NAME STATUS
#   server_start PROBE CMD...
#                        calls the caller's server_conf PORT (which writes
#                        the conf for that port), runs CMD... in the
#                        background and waits for PROBE PORT to succeed;
#                        sets pid and port
#   server_term          TERM, and the exit status in server_status
#
# The globals are dir, pid and port (the names site.sh has always given its
# users) and server_status; the helpers' own variables start with server_.
# Everything is bounded in time: 5 s to start, 5 s to stop after TERM.

# shellcheck disable=SC2034	# the globals are set here for the caller
pid=${pid:-}
port=${port:-}
dir=${dir:-}
server_status=

# server_scratch TAG: a fresh scratch directory under tests/tmp of the build
# tree, in dir.  0755: when run as root the workers drop to nobody, who must
# reach the files in it.
server_scratch() {
	mkdir -p "${FORKHTTPD_BUILDDIR:-.}/tests/tmp" || return 1
	dir=$(mktemp -d "${FORKHTTPD_BUILDDIR:-.}/tests/tmp/$1.XXXXXX") ||
	    return 1
	dir=$(cd "$dir" && pwd) || return 1
	chmod 0755 "$dir"
}

# server_free_port: prints a free loopback port (bind port 0 and read it
# back).  Without python3, a random high port: a taken one makes the server
# exit with "in use", and server_start tries another.
server_free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
	else
		echo $(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
	fi
}

# server_running: whether pid is alive.  A child that has exited but is not
# yet reaped still answers kill -0, so a zombie counts as gone (Linux /proc).
server_running() {
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
	    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' \
	    "/proc/$pid/status" 2>/dev/null)" != Z ]
}

# server_start PROBE CMD...: tries up to 3 free ports.  For each, calls
# server_conf PORT (defined by the caller; it writes the conf), starts
# CMD... with stdout and stderr to $dir/stdout.log and $dir/stderr.log, and
# waits up to 5 s for "PROBE PORT" to succeed.  0 with pid and port set once
# it answers.  1 if it did not: pid is empty if the server died (another
# port is tried only if stderr.log or error.log says "in use"), or still set
# if it is alive but not answering (no retry; server_cleanup stops it).
server_start() {
	server_probe=$1
	shift
	for _ in 1 2 3; do
		port=$(server_free_port)
		server_conf "$port" || return 1
		"$@" >"$dir/stdout.log" 2>"$dir/stderr.log" </dev/null &
		pid=$!
		server_i=0
		while [ $server_i -lt 50 ]; do
			if ! server_running; then
				wait "$pid" 2>/dev/null
				pid=
				break
			fi
			if "$server_probe" "$port"; then
				return 0
			fi
			sleep 0.1
			server_i=$((server_i + 1))
		done
		if [ -n "$pid" ]; then
			return 1
		fi
		grep -q "in use" "$dir/stderr.log" "$dir/error.log" \
		    2>/dev/null || return 1
	done
	return 1
}

# server_logs: what the server said, for a report after it failed to start.
server_logs() {
	echo "--- stderr:"; cat "$dir/stderr.log" 2>/dev/null
	echo "--- error.log:"; cat "$dir/error.log" 2>/dev/null
}

# server_term: sends TERM and waits up to 5 s for the server to exit.  0 once
# it has, with its exit status in server_status and pid empty; 1 if it is
# still running (pid kept).
server_term() {
	kill -TERM "$pid" 2>/dev/null
	server_i=0
	while [ $server_i -lt 50 ] && server_running; do
		sleep 0.1
		server_i=$((server_i + 1))
	done
	if server_running; then
		return 1
	fi
	wait "$pid"
	server_status=$?
	pid=
	return 0
}

# server_stop: stops the server if one is left: TERM, 5 s, then KILL.
server_stop() {
	if [ -n "$pid" ] && ! server_term; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}

# server_cleanup NAME STATUS: for the caller's EXIT trap.  Stops the server,
# then removes the scratch directory if STATUS is 0 and FORKHTTPD_KEEP_TMP is
# unset or empty; otherwise keeps it and says "NAME: kept DIR".
server_cleanup() {
	server_stop
	if [ -z "$dir" ]; then
		return 0
	fi
	if [ "$2" -eq 0 ] && [ -z "${FORKHTTPD_KEEP_TMP:-}" ]; then
		rm -rf "$dir"
	else
		echo "$1: kept $dir"
	fi
}
