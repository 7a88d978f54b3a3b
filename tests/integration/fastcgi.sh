#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fastcgi.sh - PHP through php-fpm, as a user runs it: the real binary
# with `route '~ \.php$' { fastcgi = "unix:..." }`, and a php-fpm of the
# test's own (a global section and one pool in the scratch directory,
# listening on a unix socket there), started by pid and stopped by pid.
# curl checks, with workers = 1: first 20 requests to a script that
# sleeps 2 s, together in about 2 s, while a static file is answered at
# once; then GET with a query ($_SERVER, $_GET), local redirects (5,
# then a 302), a form POST ($_POST),
# a 20 MiB upload (its digest as PHP read it; the worker's peak memory
# well under the upload's size), a chunked upload (411: php-fpm needs
# CONTENT_LENGTH, and the body is never stored), a download flushed in
# pieces (the first piece before the script ends; chunked), PHP's own 404
# with its body, the PATH_INFO attacks (/index.php/x.php and
# /uploads/evil.jpg/x.php: 404, the JPEG's PHP never run), a missing
# script (404), nothing listening (502), a script that stalls past
# upstream-timeout (504), error_log() reaching the error log tagged with
# the script.
# Exit 0 if every check passed, 1 otherwise, 77 without php-fpm.
#
# Environment (set by make check): FORKHTTPD_BIN, FORKHTTPD_BUILDDIR.
# Everything talks to 127.0.0.1 and unix sockets in the scratch directory
# only, and is bounded in time.

set -u
: "${FORKHTTPD_BUILDDIR:=.}"
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

fpm=
for f in /usr/sbin/php-fpm /usr/sbin/php-fpm[0-9]*; do
	[ -x "$f" ] && fpm=$f
done
if [ -z "$fpm" ]; then
	echo "SKIP: php-fpm is not installed (Debian package php-fpm)"
	exit 77
fi
if ! command -v curl >/dev/null 2>&1; then
	ko "curl is not installed"
	finish
fi
if [ ! -x "$FORKHTTPD_BIN" ]; then
	ko "$FORKHTTPD_BIN is not executable"
	finish
fi

# shellcheck source=tests/lib/server.sh
. "$(dirname "$0")/../lib/server.sh"

server_scratch fastcgi || exit 1
fpm_pid=
sleepers=
# php-fpm by its pid: TERM, up to 5 s, then KILL.
fpm_stop() {
	[ -n "$fpm_pid" ] || return 0
	kill -TERM "$fpm_pid" 2>/dev/null
	i=0
	while [ $i -lt 50 ] && kill -0 "$fpm_pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$fpm_pid" 2>/dev/null
	wait "$fpm_pid" 2>/dev/null
	fpm_pid=
}
cleanup() {
	# shellcheck disable=SC2086	# a list of pids
	[ -n "$sleepers" ] && kill $sleepers 2>/dev/null
	fpm_stop
	server_cleanup fastcgi.sh "$fail"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

c() { curl --noproxy '*' --silent --max-time 10 "$@"; }
now() { date +%s.%N; }
# elapsed START: seconds since START (now() output), 2 decimals.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# lt A B: whether A < B (decimals).
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# ---------------------------------------------------------------------------
# The site: PHP scripts, a static file, and an "upload" that holds PHP.

www=$dir/www
mkdir -p "$www/uploads" "$www/down" "$www/blog" "$dir/fpm-tmp"
echo "static hello" >"$www/index.html"
# A WordPress-style site: index.php for the directory, and every path
# that names no file (a pretty permalink) sent to it.
cat >"$www/blog/index.php" <<'EOF'
<?php
header('Content-Type: text/plain');
echo 'blog ', $_SERVER['SCRIPT_NAME'], ' ', $_SERVER['REQUEST_URI'], "\n";
EOF
echo "blog style" >"$www/blog/style.css"
cat >"$www/info.php" <<'EOF'
<?php
header('Content-Type: text/plain');
foreach (['REQUEST_METHOD', 'QUERY_STRING', 'SCRIPT_NAME',
    'SCRIPT_FILENAME', 'REQUEST_URI', 'GATEWAY_INTERFACE',
    'SERVER_PROTOCOL', 'REMOTE_ADDR', 'HTTP_X_TEST', 'HTTP_PROXY',
    'CONTENT_LENGTH'] as $k)
	echo $k, '=', $_SERVER[$k] ?? '(unset)', "\n";
echo 'GET_a=', $_GET['a'] ?? '', "\n";
echo 'GET_b=', $_GET['b'] ?? '', "\n";
EOF
cat >"$www/index.php" <<'EOF'
<?php
echo "index\n";
EOF
cat >"$www/form.php" <<'EOF'
<?php
header('Content-Type: text/plain');
echo 'name=', $_POST['name'] ?? '', ' x=', $_POST['x'] ?? '', "\n";
EOF
cat >"$www/upload.php" <<'EOF'
<?php
header('Content-Type: text/plain');
$in = fopen('php://input', 'rb');
$h = hash_init('md5');
$n = 0;
while (!feof($in)) {
	$d = fread($in, 65536);
	if ($d === false)
		break;
	$n += strlen($d);
	hash_update($h, $d);
}
echo $n, ' ', hash_final($h), "\n";
EOF
cat >"$www/stream.php" <<'EOF'
<?php
header('Content-Type: text/plain');
echo "first\n";
flush();
usleep(1500000);
for ($i = 0; $i < 100; $i++) {
	echo str_repeat(chr(65 + $i % 26), 10000);
	flush();
}
echo "\nlast\n";
EOF
cat >"$www/notfound.php" <<'EOF'
<?php
http_response_code(404);
header('Content-Type: text/plain');
echo "no such thing here\n";
EOF
cat >"$www/stall.php" <<'EOF'
<?php
sleep(6);
echo "late\n";
EOF
cat >"$www/log.php" <<'EOF'
<?php
error_log('fastcgi-test-marker-7f3a');
echo "logged\n";
EOF
# A Location without a Status: PHP sends no Status for 200, so this is
# a CGI local redirect (RFC 3875 §6.2.2), answered by the server.
cat >"$www/local.php" <<'EOF'
<?php
header('Location: /index.html');
http_response_code(200);
EOF
cat >"$www/hop.php" <<'EOF'
<?php
header('Location: /hop.php?n=' . ((int)($_GET['n'] ?? 0) + 1));
http_response_code(200);
EOF
cat >"$www/sleep.php" <<'EOF'
<?php
sleep(2);
echo "slept\n";
EOF
# An "image" someone uploaded, holding PHP: it must never run.
cat >"$www/uploads/evil.jpg" <<EOF
<?php file_put_contents('$dir/pwned', 'x'); echo "EXECUTED\n";
EOF
echo '<?php echo "down\n";' >"$www/down/x.php"
chmod -R a+rX "$www"

# ---------------------------------------------------------------------------
# php-fpm: its own conf, foreground, by pid.  Without php.ini (-n), so the
# system's settings do not change what the scripts do; as root it needs -R
# to run the pool as root.

fpm_user=$(id -un)
fpm_group=$(id -gn)
cat >"$dir/php-fpm.conf" <<EOF
[global]
pid = $dir/php-fpm.pid
error_log = $dir/php-fpm.log
daemonize = no

[test]
user = $fpm_user
group = $fpm_group
listen = $dir/php.sock
listen.mode = 0666
pm = static
pm.max_children = 20
php_admin_value[post_max_size] = 64M
php_admin_value[upload_max_filesize] = 64M
php_admin_value[output_buffering] = 0
php_admin_value[upload_tmp_dir] = $dir/fpm-tmp
php_admin_value[sys_temp_dir] = $dir/fpm-tmp
php_admin_flag[log_errors] = on
EOF
root_flag=
[ "$(id -u)" -eq 0 ] && root_flag=-R
"$fpm" -n -F $root_flag -y "$dir/php-fpm.conf" >"$dir/php-fpm.out" 2>&1 &
fpm_pid=$!
i=0
while [ $i -lt 50 ] && [ ! -S "$dir/php.sock" ] &&
    kill -0 "$fpm_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -S "$dir/php.sock" ]; then
	ko "php-fpm did not listen on $dir/php.sock within 5 s"
	cat "$dir/php-fpm.out" "$dir/php-fpm.log" 2>/dev/null
	finish
fi
echo "fastcgi.sh: php-fpm pid $fpm_pid on $dir/php.sock"

# ---------------------------------------------------------------------------
# forkhttpd: one worker; $timeout is upstream-timeout.

timeout=10
server_conf() {
	cat >"$dir/forkhttpd.conf" <<EOF
# written by tests/integration/fastcgi.sh
listen = { "127.0.0.1:$1" }
workers = 1
document-root = "$www"
pid-file = "forkhttpd.pid"
error-log = "error.log"
access-log = "access.log"
log-level = "info"
user = "nobody"
body-max = 67108864
header-max = 65536
upstream-timeout = $timeout
server "localhost" {
    default = true
    route '~ ^/down/.*\.php$' { fastcgi = "unix:$dir/nothing.sock" }
    route '~ \.php$' { fastcgi = "unix:$dir/php.sock" }
    route "/blog/" { index = { "index.php" }  fallback = "/blog/index.php" }
}
EOF
}
answers() { c -o /dev/null --max-time 1 "http://127.0.0.1:$1/index.html"; }
start() {
	if ! server_start answers "$FORKHTTPD_BIN" -n -f "$dir/forkhttpd.conf"
	then
		ko "forkhttpd did not start within 5 s"
		server_logs
		finish
	fi
	base="http://127.0.0.1:$port"
	echo "fastcgi.sh: forkhttpd pid $pid on $base (upstream-timeout $timeout)"
}
start

# status_of URL [curl args]: prints the status; the body goes to $dir/body.
status_of() {
	u=$1
	shift
	c -o "$dir/body" -w '%{http_code}' "$@" "$base$u"
}

# ---------------------------------------------------------------------------
# 1. One worker, 20 requests to a script that sleeps 2 s: all together in
# about 2 s, and a static file answered meanwhile at once.  First, while
# every php-fpm child is free (the stall below holds one for a while),
# and with an upstream-timeout under which the 2 s are not a stall.

worker=$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -n 1)
fds0=$(ls "/proc/$worker/fd" | wc -l)
s=$(now)
# One curl, 20 transfers at once (-Z): 20 processes would start too
# slowly on a loaded machine to be under way together.
c -Z --no-progress-meter --parallel-max 20 --parallel-immediate -o "$dir/sleep.#1" \
    -w '%{http_code} %{time_total}\n' "$base/sleep.php?[1-20]" \
    >"$dir/sleep.codes" &
sleepers=$!
# Under way: the worker holds a descriptor to the client and one to
# php-fpm for at least half of them (20 more than before); 2 s at most.
i=0
while [ $i -lt 20 ] &&
    [ "$(ls "/proc/$worker/fd" | wc -l)" -lt $((fds0 + 20)) ]; do
	sleep 0.1
	i=$((i + 1))
done
# The static file while the 20 are under way (none has its answer yet).
ss=$(now)
code=$(status_of /index.html)
stook=$(elapsed "$ss")
done_already=0
for i in $(seq 1 20); do
	[ -s "$dir/sleep.$i" ] && done_already=$((done_already + 1))
done
if [ "$code" = 200 ] && lt "$stook" 1 && [ "$done_already" -eq 0 ]; then
	ok "a static file beside 20 sleeping PHP requests: $stook s"
else
	ko "the static file: $code after $stook s ($done_already sleepers done)"
fi
# shellcheck disable=SC2086
wait $sleepers
sleepers=
took=$(elapsed "$s")
n=0
slept=0
longest=0
while read -r code t; do
	[ "$code" = 200 ] && n=$((n + 1))
	lt "$longest" "$t" && longest=$t
done <"$dir/sleep.codes"
for i in $(seq 1 20); do
	grep -qx slept "$dir/sleep.$i" 2>/dev/null && slept=$((slept + 1))
done
if [ "$n" -eq 20 ] && [ "$slept" -eq 20 ] && lt "$took" 6 &&
    lt "$longest" 4.5; then
	ok "20 requests to sleep.php with one worker: $took s, the longest $longest s"
else
	ko "20 requests to sleep.php: $n answered 200, $slept slept, $took s, the longest $longest s"
fi

# ---------------------------------------------------------------------------
# The rest with upstream-timeout = 2, for the stall.

server_term
timeout=2
start


# 2. GET with a query: the CGI variables as PHP sees them.
code=$(status_of '/info.php?a=1&b=two%20words' -H 'X-Test: hello' \
    -H 'Proxy: http://evil.example/' -D "$dir/head")
if [ "$code" = 200 ]; then
	ok "GET /info.php?...: 200"
else
	ko "GET /info.php?...: $code"
fi
# A short page, all there at once: its length is known, not chunked.
len=$(wc -c <"$dir/body" | tr -d ' ')
if tr -d '\r' <"$dir/head" | grep -qix "content-length: $len" &&
    ! grep -qi '^transfer-encoding' "$dir/head"; then
	ok "GET /info.php: Content-Length, not chunked"
else
	ko "GET /info.php: head $(cat "$dir/head")"
fi
for want in "REQUEST_METHOD=GET" "QUERY_STRING=a=1&b=two%20words" \
    "SCRIPT_NAME=/info.php" "SCRIPT_FILENAME=$www/info.php" \
    "REQUEST_URI=/info.php?a=1&b=two%20words" "GATEWAY_INTERFACE=CGI/1.1" \
    "SERVER_PROTOCOL=HTTP/1.1" "REMOTE_ADDR=127.0.0.1" \
    "HTTP_X_TEST=hello" "HTTP_PROXY=(unset)" "GET_a=1" "GET_b=two words"; do
	if grep -qxF "$want" "$dir/body"; then
		ok "info.php: $want"
	else
		ko "info.php: no line $want in: $(cat "$dir/body")"
	fi
done

# 2a. index.php runs for its directory, and paths that name no file go
# to it (pretty permalinks); a file that exists is served as it is.
for u in "/blog/|blog /blog/index.php /blog/" \
    "/blog/2026/12/hello/?p=1|blog /blog/index.php /blog/2026/12/hello/?p=1" \
    "/blog/style.css|blog style"; do
	code=$(status_of "${u%%|*}")
	if [ "$code" = 200 ] && [ "$(cat "$dir/body")" = "${u#*|}" ]; then
		ok "GET ${u%%|*}: ${u#*|}"
	else
		ko "GET ${u%%|*}: $code $(head -c 200 "$dir/body")"
	fi
done

# 2b. Fields that header-max lets in but that, as CGI variables, do not
# fit in the 32 KiB the FastCGI prelude has: 431, php-fpm never asked.
x=$(head -c 7000 /dev/zero | tr '\0' x)
code=$(status_of /info.php -H "X-A: $x" -H "X-B: $x" -H "X-C: $x" \
    -H "X-D: $x" -H "X-E: $x")
if [ "$code" = 431 ]; then
	ok "GET /info.php with 35 KB of fields: 431"
else
	ko "GET /info.php with 35 KB of fields: $code"
fi
code=$(status_of /info.php -H "X-A: $x" -H "X-B: $x")
if [ "$code" = 200 ] && grep -q "^HTTP_X_TEST=(unset)" "$dir/body"; then
	ok "GET /info.php with 14 KB of fields: 200"
else
	ko "GET /info.php with 14 KB of fields: $code"
fi

# 2c. Local redirects: followed by the server, up to 5; the 6th goes to
# the client.
code=$(status_of /local.php)
if [ "$code" = 200 ] && grep -qx "static hello" "$dir/body"; then
	ok "GET /local.php: the local redirect answered by the server"
else
	ko "GET /local.php: $code $(cat "$dir/body")"
fi
code=$(status_of /hop.php -D "$dir/head")
if [ "$code" = 302 ] && tr -d '\r' <"$dir/head" |
    grep -qix 'location: /hop.php?n=6'; then
	ok "GET /hop.php: 5 local redirects, then a 302 to the 6th"
else
	ko "GET /hop.php: $code $(cat "$dir/head")"
fi

# 3. A form.
code=$(status_of /form.php --data 'name=alice&x=1+2')
if [ "$code" = 200 ] && grep -qxF "name=alice x=1 2" "$dir/body"; then
	ok "POST /form.php: \$_POST"
else
	ko "POST /form.php: $code $(cat "$dir/body")"
fi

# 4. 20 MiB upload: PHP reads every byte; the worker never holds it.  Its
# peak memory (VmHWM) may grow by a few buffers, not by the body: the
# growth is measured, as a sanitizer build starts far higher.
worker=$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -n 1)
hwm() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$worker/status" \
	    2>/dev/null
}
hwm0=$(hwm)
head -c 20971520 /dev/urandom >"$dir/big"
want="20971520 $(md5sum <"$dir/big" | cut -d' ' -f1)"
code=$(status_of /upload.php --max-time 60 \
    -H 'Content-Type: application/octet-stream' --data-binary @"$dir/big")
if [ "$code" = 200 ] && grep -qxF "$want" "$dir/body"; then
	ok "POST /upload.php 20 MiB: PHP read it whole"
else
	ko "POST /upload.php 20 MiB: $code '$(cat "$dir/body")', want '$want'"
fi
hwm1=$(hwm)
if [ -n "$hwm0" ] && [ -n "$hwm1" ] && [ $((hwm1 - hwm0)) -lt 4096 ]; then
	ok "the worker's peak memory grew by $((hwm1 - hwm0)) KiB for a 20 MiB body (now $hwm1 KiB)"
else
	ko "the worker's peak memory: '${hwm0:-?}' KiB, then '${hwm1:-?}' KiB (pid ${worker:-?})"
fi

# 5. A chunked upload: php-fpm reads CONTENT_LENGTH bytes of stdin and
# none without it, and the body is streamed, never stored to learn its
# length: 411 (Length Required), before php-fpm hears of it.
head -c 1048576 /dev/urandom >"$dir/mid"
code=$(status_of /upload.php -H 'Transfer-Encoding: chunked' \
    -H 'Content-Type: application/octet-stream' --data-binary @"$dir/mid")
if [ "$code" = 411 ]; then
	ok "chunked POST /upload.php: 411"
else
	ko "chunked POST /upload.php: $code '$(cat "$dir/body")'"
fi
# The same bytes with their length go through whole.
want="1048576 $(md5sum <"$dir/mid" | cut -d' ' -f1)"
code=$(status_of /upload.php -H 'Content-Type: application/octet-stream' \
    --data-binary @"$dir/mid")
if [ "$code" = 200 ] && grep -qxF "$want" "$dir/body"; then
	ok "POST /upload.php 1 MiB with Content-Length: PHP read it whole"
else
	ko "POST /upload.php 1 MiB: $code '$(cat "$dir/body")', want '$want'"
fi

# 6. A download flushed in pieces: the first before the script ends,
# chunked (the length is not known), all of it there.
t=$(c -D "$dir/head" -o "$dir/body" -w '%{time_starttransfer} %{time_total}' \
    "$base/stream.php")
first=${t% *}
total=${t#* }
size=$(wc -c <"$dir/body")
if grep -qi '^Transfer-Encoding: chunked' "$dir/head" &&
    [ "$size" -eq $((6 + 1000000 + 6)) ] && head -n 1 "$dir/body" |
    grep -qx first && tail -n 1 "$dir/body" | grep -qx last; then
	ok "GET /stream.php: chunked, $size bytes, whole"
else
	ko "GET /stream.php: $size bytes; head: $(cat "$dir/head")"
fi
if lt "$first" 1.0 && ! lt "$total" 1.4; then
	ok "GET /stream.php: first bytes after ${first} s, the end after ${total} s"
else
	ko "GET /stream.php: first bytes after ${first} s, end ${total} s: not streamed"
fi

# 7. PHP's own 404 passes with its body.
code=$(status_of /notfound.php)
if [ "$code" = 404 ] && grep -qxF "no such thing here" "$dir/body"; then
	ok "GET /notfound.php: PHP's 404 and body"
else
	ko "GET /notfound.php: $code $(cat "$dir/body")"
fi

# 8. PATH_INFO attacks: no script by that name, so php-fpm never hears.
rm -f "$dir/pwned"
for u in /index.php/x.php /uploads/evil.jpg/x.php /uploads/evil.jpg/.php; do
	code=$(status_of "$u")
	if [ "$code" = 404 ] && ! grep -q EXECUTED "$dir/body"; then
		ok "GET $u: 404"
	else
		ko "GET $u: $code $(cat "$dir/body")"
	fi
done
if [ ! -e "$dir/pwned" ]; then
	ok "the PHP in uploads/evil.jpg never ran"
else
	ko "the PHP in uploads/evil.jpg ran"
fi

# 9. A missing script.
code=$(status_of /missing.php)
if [ "$code" = 404 ]; then
	ok "GET /missing.php: 404"
else
	ko "GET /missing.php: $code"
fi

# 10. Nothing listening: 502, logged.
code=$(status_of /down/x.php)
if [ "$code" = 502 ]; then
	ok "GET /down/x.php (no server): 502"
else
	ko "GET /down/x.php (no server): $code"
fi
if grep -q "fastcgi unix:$dir/nothing.sock" "$dir/error.log"; then
	ok "the 502 is logged with the server's address"
else
	ko "no error.log line for the 502: $(tail -n 3 "$dir/error.log")"
fi

# 11. A script that stalls past upstream-timeout (2 s): 504.
s=$(now)
code=$(status_of /stall.php)
took=$(elapsed "$s")
if [ "$code" = 504 ] && lt "$took" 4.5; then
	ok "GET /stall.php: 504 after $took s"
else
	ko "GET /stall.php: $code after $took s"
fi

# 12. error_log() goes to FCGI_STDERR, then to our error log, tagged.
code=$(status_of /log.php)
i=0
while [ $i -lt 20 ] && ! grep -q fastcgi-test-marker-7f3a "$dir/error.log"; do
	sleep 0.1
	i=$((i + 1))
done
line=$(grep fastcgi-test-marker-7f3a "$dir/error.log" | head -n 1)
if [ "$code" = 200 ] && echo "$line" | grep -q "/log.php: stderr: "; then
	ok "error_log() in the error log: $line"
else
	ko "error_log(): $code, line '$line'"
fi

# A sanitizer build's findings: the error log (both runs; a crashed
# worker is logged there) and the last run's standard error.
if grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" \
    "$dir/error.log" "$dir/stderr.log" 2>/dev/null; then
	ko "sanitizer reports in the logs"
fi

finish
