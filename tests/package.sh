#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# package.sh - the Debian package from build to purge, on this machine:
# dpkg-buildpackage, lintian (no error), dpkg -i, the server through the
# init script (start, the default page, workers as www-data, the log
# directory, reload, logrotate and reopen, stop), the daemon under the
# systemd unit's hardening as far as it can be had without systemd
# (capability bounding set, no_new_privs, read-only /usr /boot /etc and
# home directories, a private /tmp), dpkg -r, and dpkg --purge leaving
# no file behind.
#
# Run by .ci/run, as root, on a Debian 12 machine where systemd is not
# PID 1 (as in CI's container).  It installs what it needs with apt-get,
# installs the package system-wide and purges it at the end (also when
# a check fails), so it refuses to run when forkhttpd is already
# installed or port 80 is taken, and moves a forkhttpd.conf or
# /var/log/forkhttpd it did not install aside while it runs.  Every wait is bounded.  Prints one
# PASS/FAIL line per check and "N passed, N failed"; exit 0 only if
# all passed.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() {
	what=$1
	shift
	if "$@"; then
		ok "$what"
		return 0
	fi
	ko "$what"
	return 1
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

URL=http://127.0.0.1
PAGE=index.forkhttpd-debian.html
UNIT=/lib/systemd/system/forkhttpd.service
LOGDIR=/var/log/forkhttpd
PIDFILE=/run/forkhttpd.pid

[ "$(id -u)" -eq 0 ] || { ko "must run as root"; finish; }
command -v dpkg >/dev/null 2>&1 || { ko "not a Debian machine"; finish; }
if dpkg-query -W -f='${Status}' forkhttpd 2>/dev/null |
    grep -q 'installed\|config-files'; then
	ko "forkhttpd is installed already: dpkg --purge forkhttpd first"
	finish
fi

# What the build needs (debian/control's Build-Depends), what the checks
# use, and the tools of the package itself.
packages="debhelper dpkg-dev fakeroot lintian logrotate gcc make autoconf
automake pkg-config libconfuse-dev libcrypt-dev check curl media-types procps
iproute2"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "package: installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null ||
	    { ko "apt-get install$missing"; finish; }
fi
if [ -n "$(ss -Hltn 'sport = :80')" ]; then
	ko "port 80 is taken on this machine"
	finish
fi

scratch=$(mktemp -d /tmp/forkhttpd-package.XXXXXX)
installed=no
hardened_pid=
saved=


# shellcheck disable=SC2317	# called from the EXIT trap
cleanup() {
	if [ -n "$hardened_pid" ] && kill -0 "$hardened_pid" 2>/dev/null; then
		kill -TERM "$hardened_pid"
		wait_for 10 gone "$hardened_pid" || kill -KILL "$hardened_pid"
	fi
	if [ "$installed" = yes ]; then
		timeout 30 /etc/init.d/forkhttpd stop >/dev/null 2>&1
		dpkg --purge forkhttpd >/dev/null 2>&1
	fi
	for f in $saved; do
		mkdir -p "$(dirname "$f")"
		mv "$scratch/saved$f" "$f" && echo "package: $f put back"
	done
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Purge removes /var/log/forkhttpd, and dpkg would stop to ask about a
# forkhttpd.conf it did not install (a `make install` with the Debian
# paths leaves both): such ones are moved aside into the scratch
# directory for the test, and put back at the end.
for f in /etc/forkhttpd/forkhttpd.conf /var/log/forkhttpd; do
	[ -e "$f" ] || continue
	mkdir -p "$scratch/saved$(dirname "$f")"
	mv "$f" "$scratch/saved$f" || { ko "cannot move $f aside"; finish; }
	# An /etc/forkhttpd left empty would be purged with the package's.
	rmdir --ignore-fail-on-non-empty "$(dirname "$f")"
	echo "package: $f moved aside for the test"
	saved="$saved $f"
done

# wait_for SECONDS COMMAND...: until COMMAND succeeds, for at most
# SECONDS.
wait_for() {
	limit=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$limit" ] || return 1
		sleep 0.1
	done
}
gone() { ! kill -0 "$1" 2>/dev/null; }
in_file() { grep -q -- "$1" "$2" 2>/dev/null; }
status_of() { curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL$1"; }

# Everything on the machine's own file systems that a package could
# touch, less dpkg's and apt's own records, caches and logs.
snapshot() {
	find /etc /usr /var /run /srv /opt -xdev \
	    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache \
	    -o -path /var/log/apt -o -path /var/tmp -o -path /run/user \
	    -o -path /var/log/journal -o -path "$scratch" \) -prune \
	    -o -print 2>/dev/null |
	    grep -v -x -e /var/log/dpkg.log -e /var/log/alternatives.log |
	    sort
}

build() {
	mkdir "$scratch/src"
	if [ -d "$top/.git" ] && command -v git >/dev/null 2>&1; then
		(cd "$top" && git ls-files -z |
		    xargs -0 cp --parents -t "$scratch/src")
	else
		cp -R "$top/." "$scratch/src"
	fi
	start=$(date +%s)
	(cd "$scratch/src" &&
	    DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage \
	    -us -uc -b) >"$scratch/build.log" 2>&1
	rc=$?
	echo "package: dpkg-buildpackage took $(($(date +%s) - start)) s"
	[ $rc -eq 0 ] || tail -n 30 "$scratch/build.log"
	return $rc
}

lint() {
	lintian --fail-on error "$scratch"/forkhttpd_*.changes \
	    >"$scratch/lintian.log" 2>&1
	rc=$?
	grep -v 'running with root privileges' "$scratch/lintian.log"
	return $rc
}

# The files and their owners and modes, as the package installs them.
check_files() {
	check "/usr/sbin/forkhttpd" test -x /usr/sbin/forkhttpd
	check "the conffile" sh -c "dpkg-query -W -f='\${Conffiles}' \
	    forkhttpd | grep -q ' /etc/forkhttpd/forkhttpd.conf '"
	check "the conf has the Debian paths" sh -c '
	    c=/etc/forkhttpd/forkhttpd.conf
	    grep -q "^document-root = \"/var/www/html\"" $c &&
	    grep -q "^pid-file = \"/run/forkhttpd.pid\"" $c &&
	    grep -q "^error-log = \"/var/log/forkhttpd/error.log\"" $c &&
	    grep -q "^user = \"www-data\"" $c &&
	    /usr/sbin/forkhttpd -t -f $c 2>/dev/null'
	check "the init script" test -x /etc/init.d/forkhttpd
	check "update-rc.d links" sh -c 'ls /etc/rc2.d/S*forkhttpd &&
	    ls /etc/rc0.d/K*forkhttpd' >/dev/null 2>&1
	check "the systemd unit" in_file '^Type=notify' "$UNIT"
	check "systemd-analyze verify" sh -c "systemd-analyze verify \
	    $UNIT 2>&1 | grep forkhttpd; test \$? -ne 0"
	check "the logrotate file" in_file "^$LOGDIR/\*.log" \
	    /etc/logrotate.d/forkhttpd
	check "the man pages" test -f /usr/share/man/man8/forkhttpd.8.gz \
	    -a -f /usr/share/man/man5/forkhttpd.conf.5.gz
	check "$LOGDIR is root:adm 750" \
	    test "$(stat -c '%U:%G %a' "$LOGDIR")" = "root:adm 750"
	check "the default page" cmp -s "/usr/share/forkhttpd/$PAGE" \
	    "/var/www/html/$PAGE"
}

# The server as the init script starts it.
check_serving() {
	check "service forkhttpd start" service forkhttpd start
	check "service forkhttpd status" service forkhttpd status
	check "the default page is served" sh -c "curl -sf -m 5 $URL/$PAGE |
	    cmp -s - /usr/share/forkhttpd/$PAGE"
	check "GET / is 200" test "$(status_of /)" = 200
	master=$(cat "$PIDFILE" 2>/dev/null)
	users=$(ps -o user= --ppid "${master:-1}" | sort -u | tr -d ' ')
	check "the workers run as www-data (master ${master:-?})" \
	    test "$users" = www-data
	check "the access log has the request" wait_for 5 in_file \
	    "GET /$PAGE" "$LOGDIR/access.log"
}

check_reload_rotate() {
	check "service forkhttpd reload" service forkhttpd reload
	check "the reload took" in_file " ok generation 2" \
	    "$PIDFILE.reload"
	check "serving after the reload" test "$(status_of /$PAGE)" = 200
	check "logrotate" logrotate -s "$scratch/logrotate.state" -f \
	    /etc/logrotate.d/forkhttpd
	check "the log was rotated" test -f "$LOGDIR/access.log.1"
	check "no error from the rotation" sh -c \
	    "! grep -q 'cannot reopen' $LOGDIR/error.log*"
	curl -s -m 5 -o /dev/null "$URL/after-rotation"
	check "the reopened log has the next request" wait_for 5 in_file \
	    "GET /after-rotation" "$LOGDIR/access.log"
}

check_stop() {
	master=$(cat "$PIDFILE" 2>/dev/null)
	check "service forkhttpd stop" service forkhttpd stop
	check "the master is gone" wait_for 5 gone "${master:-1}"
	service forkhttpd status >/dev/null 2>&1
	check "status says not running" test $? -eq 3
	check "nothing listens on port 80" test -z "$(ss -Hltn 'sport = :80')"
}

# The unit's hardening without systemd: the installed daemon in a mount
# namespace with /usr, /boot, /etc and /home read-only and a private
# /tmp (ProtectSystem=full, ProtectHome=read-only, PrivateTmp), and
# setpriv for no_new_privs and the unit's CapabilityBoundingSet; it must
# start, serve, reload, reopen its logs and stop.  (Seccomp-based
# options, RestrictAddressFamilies and the like, need systemd itself.)
check_hardening() {
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" |
	    tr 'A-Z' 'a-z' | sed -e 's/cap_//g' -e 's/ /,+/g')
	check "the unit has a capability bounding set" test -n "$caps"
	# shellcheck disable=SC2016	# expanded by the inner shell
	unshare -m sh -c 'mount --make-rprivate / &&
	    for d in /usr /boot /etc /home /root; do
		[ -d $d ] || continue
		mount --bind $d $d && mount -o remount,bind,ro $d || exit 1
	    done
	    mount -t tmpfs tmpfs /tmp &&
	    exec setpriv --no-new-privs --inh-caps=-all --bounding-set "$1" \
		/usr/sbin/forkhttpd -n -f /etc/forkhttpd/forkhttpd.conf' \
	    sh "-all,+$caps" >"$scratch/hardened.log" 2>&1 &
	hardened_pid=$!
	check "hardened: serving" wait_for 10 sh -c \
	    "test \"\$(curl -s -m 2 -o /dev/null -w '%{http_code}' \
	    $URL/$PAGE)\" = 200"
	check "hardened: reload" /usr/sbin/forkhttpd -s reload
	check "hardened: reopen" /usr/sbin/forkhttpd -s reopen
	curl -s -m 5 -o /dev/null "$URL/hardened-after-reopen"
	check "hardened: logging after reopen" wait_for 5 in_file \
	    "GET /hardened-after-reopen" "$LOGDIR/access.log"
	check "hardened: stop" /usr/sbin/forkhttpd -s stop
	check "hardened: gone" wait_for 10 gone "$hardened_pid"
	if grep -q -i 'error\|cannot\|denied' "$scratch/hardened.log"; then
		ko "hardened: errors logged"
		cat "$scratch/hardened.log"
	else
		ok "hardened: no error logged"
	fi
	hardened_pid=
}

check_remove_purge() {
	# A file the administrator put beside the conf (none is there before
	# the package: the snapshot would show it).
	admin_file=
	if [ ! -e /etc/forkhttpd/package-test-admin-file ]; then
		admin_file=/etc/forkhttpd/package-test-admin-file
		echo "not the package's" >"$admin_file"
	fi
	check "dpkg -r" dpkg -r forkhttpd >/dev/null
	check "removed: no binary" test ! -e /usr/sbin/forkhttpd
	check "removed: the conffile stays" test -f \
	    /etc/forkhttpd/forkhttpd.conf
	check "removed: the default page is gone" test ! -e \
	    "/var/www/html/$PAGE"
	check "dpkg --purge" dpkg --purge forkhttpd >/dev/null
	installed=no
	if [ -n "$admin_file" ]; then
		check "purge keeps the administrator's own file" \
		    test -f "$admin_file"
		rm -f "$admin_file"
		rmdir --ignore-fail-on-non-empty /etc/forkhttpd
	fi
	snapshot >"$scratch/after"
	if diff "$scratch/before" "$scratch/after" >"$scratch/diff"; then
		ok "purge left no file behind"
	else
		ko "purge left files behind or took some:"
		cat "$scratch/diff"
	fi
}

check "dpkg-buildpackage -us -uc -b" build || finish
check "lintian: no error" lint
snapshot >"$scratch/before"
check "dpkg -i" dpkg -i "$scratch"/forkhttpd_*_*.deb || finish
installed=yes
check_files
check_serving
check_reload_rotate
check_stop
check_hardening
check_remove_purge
finish
