#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# curl.sh - fetch the sample site with curl from the real binary: the page,
# every local asset it references (with the right Content-Type), a 404,
# keep-alive reuse, HEAD against GET, then TERM.  Exit 0 if every check
# passed, 1 otherwise.

set -u
. "$(dirname "$0")/site.sh"

# 1. The page, with its title.
title=$(sed -n 's:.*<title>\(.*\)</title>.*:\1:p' "$htdocs/index.html" | head -n 1)
if c --fail -o "$dir/index.out" "$base/"; then
	if cmp -s "$dir/index.out" "$htdocs/index.html"; then
		ok "GET / is htdocs/index.html"
	else
		ko "GET / differs from htdocs/index.html"
	fi
	if [ -n "$title" ] && grep -qF "<title>$title</title>" "$dir/index.out"; then
		ok "GET / has the title \"$title\""
	else
		ko "GET / lacks the title \"$title\""
	fi
else
	ko "curl -f $base/ failed"
fi

# 2. Every local asset referenced by index.html.
expected_type() {
	case "$1" in
	*.css) echo "text/css" ;;
	*.js|*.mjs) echo "text/javascript application/javascript" ;;
	*.png) echo "image/png" ;;
	*.svg) echo "image/svg+xml" ;;
	*.ico) echo "image/x-icon image/vnd.microsoft.icon" ;;
	*.jpg|*.jpeg) echo "image/jpeg" ;;
	*.gif) echo "image/gif" ;;
	*.webp) echo "image/webp" ;;
	*.html|*.htm|*/) echo "text/html" ;;
	*) echo "" ;;
	esac
}

assets=$(grep -oE '(src|href)="[^"]*"' "$htdocs/index.html" |
    sed -e 's/^[a-z]*="//' -e 's/"$//' -e 's/[?#].*//' |
    grep -vE '^([a-zA-Z][a-zA-Z0-9+.-]*:|//|$)' | sort -u)
nassets=0
for a in $assets; do
	case "$a" in
	/*) path=$a ;;
	*) path=/$a ;;
	esac
	nassets=$((nassets + 1))
	out=$(c -o "$dir/asset.out" -w '%{http_code} %{content_type}' "$base$path")
	code=${out%% *}
	ctype=${out#* }
	ctype=${ctype%%;*}
	want=$(expected_type "$path")
	if [ "$code" != 200 ]; then
		ko "GET $path: status $code"
		continue
	fi
	file="$htdocs$path"
	[ -d "$file" ] && file="$file/index.html"
	if [ -f "$file" ] && ! cmp -s "$dir/asset.out" "$file"; then
		ko "GET $path: body differs from $file"
		continue
	fi
	if [ -z "$want" ]; then
		ok "GET $path: 200 ($ctype)"
		continue
	fi
	matched=no
	for w in $want; do
		[ "$ctype" = "$w" ] && matched=yes
	done
	if [ $matched = yes ]; then
		ok "GET $path: 200 $ctype"
	else
		ko "GET $path: Content-Type \"$ctype\", want one of: $want"
	fi
done
if [ $nassets -eq 0 ]; then
	ko "htdocs/index.html references no local assets"
fi

# 3. A missing file.
code=$(c -o "$dir/missing.out" -w '%{http_code}' "$base/missing")
if [ "$code" = 404 ]; then
	ok "GET /missing: 404"
else
	ko "GET /missing: status $code, want 404"
fi

# 4. Keep-alive: two URLs over one HTTP/1.1 connection.
c --http1.1 -v -o /dev/null -o /dev/null -w '%{num_connects}\n' \
    "$base/" "$base/style.css" >"$dir/reuse.out" 2>"$dir/reuse.err"
second=$(sed -n 2p "$dir/reuse.out")
if grep -qE 'Re-?using existing connection' "$dir/reuse.err" ||
    [ "$second" = 0 ]; then
	ok "keep-alive: the second request reused the connection"
else
	ko "keep-alive: curl did not reuse the connection (num_connects" \
	    "$(tr '\n' ' ' <"$dir/reuse.out"))"
	sed 's/^/    /' "$dir/reuse.err"
fi

# 5. HEAD: Content-Length equals the size of the GET body.
for path in / /style.css /app.js; do
	len=$(c -I "$base$path" | tr -d '\r' |
	    sed -n 's/^[Cc]ontent-[Ll]ength: *//p')
	size=$(c -o - "$base$path" | wc -c | tr -d ' ')
	if [ -n "$len" ] && [ "$len" = "$size" ]; then
		ok "HEAD $path: Content-Length $len = GET body size"
	else
		ko "HEAD $path: Content-Length \"$len\", GET body $size bytes"
	fi
done

# 6. TERM: exit 0 within 5 s, pid file removed.
if [ -f "$dir/forkhttpd.pid" ]; then
	ok "pid file written"
else
	ko "no pid file $dir/forkhttpd.pid"
fi
if ! server_term; then
	ko "server still running 5 s after TERM"
else
	st=$server_status
	if [ $st -eq 0 ]; then
		ok "TERM: exit status 0"
	else
		ko "TERM: exit status $st"
	fi
	if [ -f "$dir/forkhttpd.pid" ]; then
		ko "pid file left after TERM"
	else
		ok "pid file removed after TERM"
	fi
fi

finish
