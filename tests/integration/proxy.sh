#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# proxy.sh - runs proxy.py (the reverse proxy against real applications:
# see its top) with a python3 that has python3-websockets, Debian's
# (/usr/bin/python3) first.  Exit 0 if every check passed, 1 otherwise.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_BUILDDIR;
# PROXY_CASE=t_name runs one case.
set -u
here=$(dirname "$0")
for py in /usr/bin/python3 python3; do
	if "$py" -c 'import websockets' >/dev/null 2>&1; then
		exec "$py" "$here/proxy.py"
	fi
done
echo "FAIL: no python3 with the websockets module (python3-websockets)"
exit 1
