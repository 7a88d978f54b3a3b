# SPDX-License-Identifier: BSD-2-Clause
# docroot.sh - sourced by conformance.sh and nginx.sh: the document root
# that conform's rows expect (see README), built the same for every server.

# docroot_build DIR: makes DIR with /index.html, /a.txt = a..z (no newline),
# a 32 MiB /big.bin of random bytes and /dir/x.txt (a directory without an
# index), all readable by anyone.  The files get an mtime in the past: a
# Last-Modified less than a second before Date is only a weak validator
# (RFC 9110 §8.8.2.2), and If-Range with a date needs a strong one.
docroot_build() {
	mkdir -p "$1/dir" || return 1
	cat >"$1/index.html" <<'EOF' || return 1
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>conformance</title></head>
<body><p>The conformance test's index page.</p></body>
</html>
EOF
	printf 'abcdefghijklmnopqrstuvwxyz' >"$1/a.txt" || return 1
	printf 'x\n' >"$1/dir/x.txt" || return 1
	head -c 33554432 /dev/urandom >"$1/big.bin" || return 1
	touch -d '2024-01-02 03:04:05 UTC' "$1/index.html" "$1/a.txt" \
	    "$1/dir/x.txt" "$1/big.bin" "$1/dir" || return 1
	chmod -R a+rX "$1"
}
