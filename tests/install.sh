#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# install.sh - `make install` and `make uninstall` with the Debian paths
# (README: ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var
# --runstatedir=/run), into a DESTDIR: install writes exactly the files
# the README lists, with the paths filled in; uninstall removes every one
# of them, prints no error, and leaves an edited configuration alone.
#
# make distcheck covers the default prefix (its distuninstallcheck finds
# any file uninstall left); this covers the layout an administrator uses,
# and that uninstall is silent.  Run by .ci/run from the top of a source
# tree with ./configure made (autogen.sh); builds in a scratch directory.
# Prints one PASS/FAIL line per check and "N passed, N failed".

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) >/dev/null 2>&1 ||
    { ko "autogen.sh"; finish; }
scratch=$(mktemp -d /tmp/forkhttpd-install.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM
dest=$scratch/dest
build=$scratch/build
mkdir "$build"

if (cd "$build" && "$top/configure" --quiet --prefix=/usr --sysconfdir=/etc \
    --localstatedir=/var --runstatedir=/run &&
    make -j2 >/dev/null) >"$scratch/build.log" 2>&1; then
	ok "configure with the Debian paths, make"
else
	tail -n 20 "$scratch/build.log"
	ko "configure with the Debian paths, make"
	finish
fi

# files: what is in DESTDIR, one path a line, sorted.
files() { (cd "$dest" 2>/dev/null && find . -type f -o -type l) | sort; }

expected() {
	cat <<EOF
./etc/forkhttpd/forkhttpd.conf
./etc/forkhttpd/forkhttpd.conf.sample
./etc/init.d/forkhttpd
./etc/logrotate.d/forkhttpd
./usr/lib/systemd/system/forkhttpd.service
./usr/sbin/forkhttpd
./usr/share/man/man5/forkhttpd.conf.5
./usr/share/man/man8/forkhttpd.8
EOF
	(cd "$top/htdocs" && find . -type f | sed 's|^\.|./usr/share/forkhttpd/htdocs|')
}

if make -C "$build" install DESTDIR="$dest" >"$scratch/install.log" 2>&1; then
	ok "make install DESTDIR=..."
else
	tail -n 20 "$scratch/install.log"
	ko "make install DESTDIR=..."
fi
expected | sort >"$scratch/expected"
files >"$scratch/installed"
if diff "$scratch/expected" "$scratch/installed"; then
	ok "install wrote the files the README lists"
else
	ko "install wrote other files than the README lists (diff above)"
fi
if [ -d "$dest/var/log/forkhttpd" ]; then
	ok "the log directory"
else
	ko "no $dest/var/log/forkhttpd"
fi

# Every @dir@ filled in, and with the Debian paths.
left=$(grep -l '@[a-z]*dir@' "$dest/etc/init.d/forkhttpd" \
    "$dest/etc/logrotate.d/forkhttpd" \
    "$dest/usr/lib/systemd/system/forkhttpd.service" 2>&1)
if [ -z "$left" ]; then ok "no @dir@ left"; else ko "@dir@ left in $left"; fi
check_line() {
	if grep -q -x -- "$2" "$dest/$1"; then
		ok "$1: $2"
	else
		ko "$1 lacks: $2"
	fi
}
check_line etc/init.d/forkhttpd 'DAEMON=${DAEMON:-/usr/sbin/forkhttpd}'
check_line etc/init.d/forkhttpd \
    'CONF=${CONF:-/etc/forkhttpd/forkhttpd.conf}'
check_line etc/logrotate.d/forkhttpd '/var/log/forkhttpd/\*.log {'
check_line usr/lib/systemd/system/forkhttpd.service \
    'ExecStart=/usr/sbin/forkhttpd -n -f /etc/forkhttpd/forkhttpd.conf'
check_line etc/forkhttpd/forkhttpd.conf 'pid-file = "/run/forkhttpd.pid"'
check_line etc/forkhttpd/forkhttpd.conf \
    'access-log = "/var/log/forkhttpd/access.log"'
if "$build/src/forkhttpd" -h 2>&1 | grep -q '/etc/forkhttpd/forkhttpd.conf'
then
	ok "the binary reads /etc/forkhttpd/forkhttpd.conf by default"
else
	ko "the binary's default conf is not /etc/forkhttpd/forkhttpd.conf"
fi

# uninstall: nothing left, nothing said on stderr.
uninstall() {
	make -C "$build" uninstall DESTDIR="$dest" >/dev/null 2>"$scratch/err"
}
if uninstall && [ ! -s "$scratch/err" ]; then
	ok "make uninstall, silent"
else
	cat "$scratch/err"
	ko "make uninstall failed or printed errors"
fi
if [ -z "$(files)" ]; then
	ok "uninstall left no file"
else
	files
	ko "uninstall left files"
fi
for d in etc/forkhttpd usr/share/forkhttpd var/log/forkhttpd; do
	if [ -e "$dest/$d" ]; then ko "uninstall left $d"; else ok "$d gone"; fi
done

# An edited configuration is the administrator's: kept, and reinstalling
# does not overwrite it.
make -C "$build" install DESTDIR="$dest" >/dev/null 2>&1
echo "# edited" >>"$dest/etc/forkhttpd/forkhttpd.conf"
make -C "$build" install DESTDIR="$dest" >/dev/null 2>&1
if grep -q '^# edited$' "$dest/etc/forkhttpd/forkhttpd.conf"; then
	ok "install keeps an edited conf"
else
	ko "install overwrote an edited conf"
fi
if uninstall && [ ! -s "$scratch/err" ] &&
    [ "$(files)" = ./etc/forkhttpd/forkhttpd.conf ]; then
	ok "uninstall keeps an edited conf, and only that"
else
	cat "$scratch/err"
	files
	ko "uninstall and an edited conf"
fi
finish
