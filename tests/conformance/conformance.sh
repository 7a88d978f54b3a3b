#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# conformance.sh - runs tests/conformance/conform (the HTTP/1.1 rows of
# RFC 9110 and RFC 9112 that forkhttpd promises) against the real binary:
# builds a document root (/index.html, /a.txt = a..z, a 32 MiB /big.bin,
# /dir/x.txt without an index), writes a conf with short timeouts and small
# limits, starts "$FORKHTTPD_BIN -n -f conf" on a free 127.0.0.1 port, runs
# conform with the same limits, stops the server and exits with conform's
# status.  Then the same rows again over TLS (conform --tls) on a TLS
# listener of the same server, with a throwaway self-signed certificate
# made here by openssl req.  Never skips: a missing binary is a failure.  The document root
# is docroot.sh's (nginx.sh builds the same); starting and stopping the
# server is tests/lib/server.sh's.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_SRCDIR,
# FORKHTTPD_BUILDDIR.  CONFORM_ARGS adds options for conform (-v, -s NAME).
# The scratch directory is removed after a pass, kept after a failure (or
# always with FORKHTTPD_KEEP_TMP=1).

set -u

: "${FORKHTTPD_BUILDDIR:=.}"
: "${FORKHTTPD_SRCDIR:=.}"
: "${FORKHTTPD_BIN:=$FORKHTTPD_BUILDDIR/src/forkhttpd}"
conform="$FORKHTTPD_BUILDDIR/tests/conformance/conform"

# The limits: the conf and conform's options are written from these.
WORKERS=2
HEADER_TIMEOUT=2
BODY_TIMEOUT=2
SEND_TIMEOUT=2
KEEPALIVE_TIMEOUT=2
KEEPALIVE_REQUESTS=5
REQUEST_LINE_MAX=8192
HEADER_FIELD_MAX=4096
HEADER_MAX=16384
HEADER_FIELDS_MAX=50
BODY_MAX=1024

die() {
	echo "conformance.sh: $*" >&2
	exit 1
}

[ -x "$FORKHTTPD_BIN" ] || die "$FORKHTTPD_BIN is not executable"
[ -x "$conform" ] || die "$conform is not built (make check builds it)"

here=$(dirname "$0")
# shellcheck source=tests/lib/server.sh
. "$here/../lib/server.sh"
# shellcheck source=tests/conformance/docroot.sh
. "$here/docroot.sh"

server_scratch conform || exit 1
status=1
cleanup() { server_cleanup conformance.sh "$status"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

docroot_build "$dir/docroot" || die "cannot build $dir/docroot"

# Whether an HTTP response comes on port $1 (conform -w: one try, 1 s).
answers() {
	"$conform" -w 127.0.0.1 "$1" >/dev/null 2>&1
}

# A throwaway certificate for the TLS run.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1 ||
    die "openssl req could not make a certificate"

# The conf for port $1 (and a TLS port); the workers drop to nobody when
# run as root.
tport=
server_conf() {
	tport=$(server_free_port)
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/conformance/conformance.sh
listen = { "127.0.0.1:$1", "127.0.0.1:$tport tls" }
tls-certificate = "tls.crt"
tls-key = "tls.key"
workers = $WORKERS
user = "nobody"
document-root = "docroot"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
header-timeout = $HEADER_TIMEOUT
body-timeout = $BODY_TIMEOUT
send-timeout = $SEND_TIMEOUT
keepalive-timeout = $KEEPALIVE_TIMEOUT
keepalive-requests = $KEEPALIVE_REQUESTS
request-line-max = $REQUEST_LINE_MAX
header-field-max = $HEADER_FIELD_MAX
header-max = $HEADER_MAX
header-fields-max = $HEADER_FIELDS_MAX
body-max = $BODY_MAX
directory-listing = false
EOF
}

if ! server_start answers "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"; then
	echo "not ok - forkhttpd did not start on 127.0.0.1:$port within 5 s"
	server_logs
	exit 1
fi
echo "# conformance.sh: forkhttpd pid $pid on 127.0.0.1:$port, scratch $dir"

# run PORT [--tls]: every row against PORT.
run() {
	run_port=$1
	shift
	# shellcheck disable=SC2086	# CONFORM_ARGS is a list of options
	"$conform" ${CONFORM_ARGS:-} "$@" \
	    --body-max "$BODY_MAX" \
	    --header-timeout "$HEADER_TIMEOUT" \
	    --body-timeout "$BODY_TIMEOUT" \
	    --send-timeout "$SEND_TIMEOUT" \
	    --keepalive-timeout "$KEEPALIVE_TIMEOUT" \
	    --keepalive-requests "$KEEPALIVE_REQUESTS" \
	    --request-line-max "$REQUEST_LINE_MAX" \
	    --header-field-max "$HEADER_FIELD_MAX" \
	    --header-max "$HEADER_MAX" \
	    --header-fields-max "$HEADER_FIELDS_MAX" \
	    127.0.0.1 "$run_port"
}
run "$port"
rc=$?
echo "# conformance.sh: the same rows over TLS on 127.0.0.1:$tport"
run "$tport" --tls || rc=1

# TERM: the master and its workers must go within 5 s.
if ! server_term; then
	echo "# conformance.sh: forkhttpd still running 5 s after TERM"
	rc=1
elif [ "$server_status" -ne 0 ]; then
	echo "# conformance.sh: forkhttpd exited $server_status after TERM"
	rc=1
fi
if [ $rc -ne 0 ]; then
	echo "--- error.log (last 40 lines):"
	tail -n 40 "$dir/error.log" 2>/dev/null | sed 's/^/# /'
fi
status=$rc
exit $rc
