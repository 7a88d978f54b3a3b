#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# quickstart.sh - from a fresh Debian/Ubuntu machine to a running server.
#
#   ./quickstart.sh          install what is missing, build, and run
#                            forkhttpd in the foreground on
#                            http://127.0.0.1:8080 serving htdocs/
#   ./quickstart.sh check    the same set-up, then the whole test suite,
#                            then the suite again built with ASan + UBSan
#
# Environment (the first form only):
#   PORT=8081   the port on 127.0.0.1 (default 8080)
#   DIR=~/site  the directory to serve (default htdocs/ of this checkout);
#               started as root, the workers run as www-data, which must
#               be able to read it
# e.g.  PORT=8081 DIR=/srv/www ./quickstart.sh
#
# Without DIR the server's configuration is conf/forkhttpd.conf with the
# port and the pid file changed, written to conf/quickstart-PORT.conf;
# with DIR, forkhttpd -r DIR serves it without one.
# "serving" is said only once the server answers on the port; when it
# cannot start (the port is taken, most likely), the script says so and
# how to pick another, and exits 1.  Ctrl-C stops the server.
#
# Builds happen out of tree, in build/ and build-san/; steps already done
# are skipped.
set -eu

cd "$(dirname "$0")"
top=$(pwd)
mode=${1:-run}
jobs=$(nproc 2>/dev/null || echo 2)

# What the build and the sample site need from Debian; the tests also load
# the site in a headless browser, make password files with htpasswd, and
# start the server the way a systemd .socket unit does
# (systemd-socket-activate, from the package systemd, which installs in a
# container without running as init), read the access log with
# goaccess and python3, check the metrics page with promtool (from
# the package prometheus), speak WebSocket to the proxy with
# python3-websockets, and run PHP scripts through php-fpm (FastCGI).
packages="gcc make autoconf automake pkg-config libconfuse-dev libcrypt-dev
check curl media-types procps iproute2 libssl-dev openssl"
[ "$mode" = check ] &&
    packages="$packages chromium apache2-utils systemd goaccess python3
    prometheus python3-websockets php-fpm testssl.sh"

die() {
	echo "quickstart: $*" >&2
	exit 1
}

install_packages() {
	missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null 2>&1 ||
	    die "missing packages:$missing (and no apt-get to install them)"
	echo "quickstart: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		die "missing packages:$missing; run as root or install sudo"
	fi
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing
}

# build DIR CONFIGURE-ARGS...: configure (once) and make in DIR.
build() {
	dir=$1
	shift
	[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh)
	[ -f "$top/Makefile" ] &&
	    die "the source tree is configured in place; run 'make distclean' first"
	mkdir -p "$dir"
	[ -f "$dir/Makefile" ] || (cd "$dir" && "$top/configure" "$@")
	make -C "$dir" -j"$jobs"
}

# busy_advice: what to do about a port that is taken.
busy_advice() {
	echo "quickstart: port $port on 127.0.0.1 is in use${1:+ by $1}." >&2
	echo "quickstart: stop what holds it, or pick another port:" \
	    "PORT=$((port + 1)) ./quickstart.sh" >&2
}

# holder: the program listening on the port, if ss can tell; empty if none.
holder() {
	command -v ss >/dev/null 2>&1 || return 0
	out=$(ss -Hltnp "sport = :$port" 2>/dev/null) || return 0
	[ -n "$out" ] || return 0
	name=$(printf '%s\n' "$out" | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' |
	    head -n 1)
	echo "${name:-another program}"
}

# serve: run the server in the foreground; say "serving" only once it
# answers, and what to do if it cannot start.
serve() {
	port=${PORT:-8080}
	case $port in
	''|*[!0-9]*) die "PORT=$port: not a port number" ;;
	esac
	[ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
	    die "PORT=$port: not a port number (1-65535)"
	if [ -n "${DIR:-}" ]; then
		[ -d "$DIR" ] || die "DIR=$DIR: no such directory"
		dir=$(cd "$DIR" && pwd)
	else
		dir=$top/htdocs
	fi
	busy=$(holder)
	if [ -n "$busy" ]; then
		busy_advice "$busy"
		exit 1
	fi
	if [ -n "${DIR:-}" ]; then
		# A directory of the user's: no configuration file (-r).
		"$top/build/src/forkhttpd" -r "$dir" -l "127.0.0.1:$port" &
	else
		# The sample site with its routes: conf/forkhttpd.conf with
		# the port and the pid file changed, beside it so that its
		# relative paths (../htdocs, htpasswd) still hold.
		conf=$top/conf/quickstart-$port.conf
		sed -e "s|^listen *=.*|listen = { \"127.0.0.1:$port\" }|" \
		    -e "s|^pid-file *=.*|pid-file = \"quickstart-$port.pid\"|" \
		    "$top/conf/forkhttpd.conf" >"$conf"
		"$top/build/src/forkhttpd" -n -f "$conf" &
	fi
	pid=$!
	trap 'kill -TERM $pid 2>/dev/null' INT TERM
	# Up to 10 s for the first answer; forkhttpd exits at once when it
	# cannot bind.  Only an answer from a forkhttpd counts: another
	# server that took the port meanwhile would answer too.
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		if curl -s -m 1 -o /dev/null -D - "http://127.0.0.1:$port/" \
		    2>/dev/null | grep -qi '^server: forkhttpd'; then
			echo "quickstart: serving $dir on http://127.0.0.1:$port/ (Ctrl-C stops)"
			break
		fi
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "quickstart: no answer on port $port after 10 s" >&2; break; }
		sleep 0.1
	done
	status=0
	wait "$pid" || status=$?
	# A signal trapped during wait ends the wait, not the server.
	while kill -0 "$pid" 2>/dev/null; do
		status=0
		wait "$pid" || status=$?
	done
	if [ $status -ne 0 ] && [ $status -lt 128 ]; then
		echo "quickstart: forkhttpd could not start (exit status $status;" \
		    "its error is above)" >&2
		busy=$(holder)
		[ -z "$busy" ] || busy_advice "$busy"
		exit 1
	fi
	exit 0
}

install_packages
case $mode in
run)
	build "$top/build" --enable-werror
	serve
	;;
check)
	# chromium was installed above: the browser test must not skip
	FORKHTTPD_REQUIRE_BROWSER=1
	export FORKHTTPD_REQUIRE_BROWSER
	build "$top/build" --enable-werror
	make -C "$top/build" -j"$jobs" check
	build "$top/build-san" --enable-werror --enable-sanitizers
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    make -C "$top/build-san" -j"$jobs" check
	echo "quickstart: all tests passed, plain and with sanitizers"
	;;
*)
	echo "usage: $0 [check]" >&2
	exit 2
	;;
esac
