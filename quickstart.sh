#!/bin/sh
# quickstart.sh - from a fresh Debian/Ubuntu machine to a running server.
#
#   ./quickstart.sh          install what is missing, build, and run
#                            forkhttpd in the foreground on
#                            http://127.0.0.1:8080 serving htdocs/
#   ./quickstart.sh check    the same set-up, then the whole test suite,
#                            then the suite again built with ASan + UBSan
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
# goaccess and python3, and check the metrics page with promtool (from
# the package prometheus).
packages="gcc make autoconf automake pkg-config libconfuse-dev libcrypt-dev
check curl media-types procps"
[ "$mode" = check ] &&
    packages="$packages chromium apache2-utils systemd goaccess python3
    prometheus"

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

install_packages
case $mode in
run)
	build "$top/build" --enable-werror
	echo "quickstart: serving $top/htdocs on http://127.0.0.1:8080 (Ctrl-C stops)"
	exec "$top/build/src/forkhttpd" -n -f "$top/conf/forkhttpd.conf"
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
