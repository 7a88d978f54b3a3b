#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nginx.sh - runs the conformance rows against nginx configured like
# conformance.sh configures forkhttpd, to compare the two.  By hand only
# (not under make check); it installs nothing: without nginx it says so
# and exits 77.
#
#     tests/conformance/nginx.sh [conform options, e.g. -v or -s NAME]
#
# Builds the same document root, writes an nginx.conf with the equivalent
# limits (client_max_body_size 1k, 2 s timeouts, keepalive_requests 5,
# sendfile, two workers, the current user), starts nginx in the foreground
# in the background on a free 127.0.0.1 port, prints conform's TAP output,
# stops nginx and exits with conform's status.
#
# Environment: FORKHTTPD_BUILDDIR (default .) holds tests/conformance/conform
# and tests/tmp; CONFORM overrides the conform binary; NGINX the nginx one.
#
# Where nginx cannot be configured alike, conform's rows still say what
# forkhttpd promises, so some rows are expected to fail here:
#   - nginx has one buffer size for the request line and each field line
#     (large_client_header_buffers 2 8k: request line 8192, header about
#     16 KiB), no separate per-field limit of 4096 and no field count;
#     its "too large" header is 400, not 431;
#   - body timeouts while discarding a GET body, 408 on a slow header
#     (nginx closes without a response), 100-continue for GET, Expect
#     values, OPTIONS, If-Range with a date, and the 501/505 details
#     differ by design.

set -u

: "${FORKHTTPD_BUILDDIR:=.}"
conform=${CONFORM:-$FORKHTTPD_BUILDDIR/tests/conformance/conform}
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

if [ ! -x "$nginx" ]; then
	echo "nginx.sh: nginx is not installed (apt-get install nginx-light)"
	exit 77
fi
if [ ! -x "$conform" ]; then
	echo "nginx.sh: no $conform (make check builds it, or set CONFORM)" >&2
	exit 1
fi

here=$(dirname "$0")
# shellcheck source=tests/lib/server.sh
. "$here/../lib/server.sh"
# shellcheck source=tests/conformance/docroot.sh
. "$here/docroot.sh"

server_scratch nginx || exit 1
# conform's failures here are expected: the scratch directory always goes
# (unless FORKHTTPD_KEEP_TMP)
cleanup() { server_cleanup nginx.sh 0; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The document root, as conformance.sh builds it.
docroot="$dir/docroot"
docroot_build "$docroot" || exit 1
mkdir -p "$dir/tmp" || exit 1

# Workers run as the current user; the directive is only allowed (and
# only needed) when the master starts as root.
user_line=
if [ "$(id -u)" -eq 0 ]; then
	user_line="user $(id -un) $(id -gn);"
fi

# Whether an HTTP response comes on port $1 (conform -w: one try, 1 s).
answers() {
	"$conform" -w 127.0.0.1 "$1" >/dev/null 2>&1
}

# The conf for port $1.
server_conf() {
	cat >"$dir/nginx.conf" <<EOF
# written by tests/conformance/nginx.sh
$user_line
daemon off;
master_process on;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 128; }
http {
	types {
		text/html html;
		text/plain txt;
		application/octet-stream bin;
	}
	default_type application/octet-stream;
	access_log off;
	sendfile on;
	server_tokens on;
	client_max_body_size 1k;
	client_header_timeout 2s;
	client_body_timeout 2s;
	send_timeout 2s;
	keepalive_timeout 2s;
	keepalive_requests 5;
	client_header_buffer_size 1k;
	large_client_header_buffers 2 8k;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	server {
		listen 127.0.0.1:$1;
		server_name _;
		root $docroot;
		autoindex off;
	}
}
EOF
}

if ! server_start answers "$nginx" -p "$dir" -c "$dir/nginx.conf" \
    -e "$dir/error.log"; then
	echo "nginx.sh: nginx did not answer on 127.0.0.1:$port" >&2
	cat "$dir/stderr.log" "$dir/error.log" >&2 2>/dev/null
	exit 1
fi
echo "# nginx.sh: $("$nginx" -v 2>&1) pid $pid on 127.0.0.1:$port"

"$conform" "$@" --body-max 1024 --header-timeout 2 --body-timeout 2 \
    --send-timeout 2 --keepalive-timeout 2 --keepalive-requests 5 \
    --request-line-max 8192 --header-field-max 4096 --header-max 16384 \
    --header-fields-max 50 127.0.0.1 "$port"
status=$?

server_term
exit $status
