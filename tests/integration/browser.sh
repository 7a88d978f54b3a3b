#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# browser.sh - load the sample site from the real binary in headless
# Chromium, as a person would: the page's JavaScript runs (#js-status says
# so, and the Server field it fetches is filled in) and the browser itself
# fetches the stylesheet, the scripts and the images, each with 200.
#
# Without Chromium it is skipped (exit 77), unless FORKHTTPD_REQUIRE_BROWSER
# is set, as ./quickstart.sh check does after installing it: then a missing
# browser is a failure.
set -u

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	if [ -n "${FORKHTTPD_REQUIRE_BROWSER:-}" ]; then
		echo "FAIL: no chromium, and FORKHTTPD_REQUIRE_BROWSER is set"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "browser.sh: chromium is not installed (apt-get install chromium)"
	exit 77
fi

. "$(dirname "$0")/site.sh"

# The flags keep Chromium off the network and away from the user's profile.
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync \
    --user-data-dir="$dir/chromium-profile" --virtual-time-budget=5000 \
    --dump-dom "$base/" >"$dir/dom.html" 2>"$dir/chromium.err"
st=$?
if [ $st -eq 0 ] && grep -q '</html>' "$dir/dom.html"; then
	ok "chromium loaded $base/"
else
	ko "chromium exited $st without a page"
	sed 's/^/    /' "$dir/chromium.err" | tail -n 20
	finish
fi

# 1. The script ran and its fetch() of / came back with our Server field.
if grep -qE 'id="js-status"[^>]*>JavaScript loaded<' "$dir/dom.html"; then
	ok "app.js ran: #js-status says JavaScript loaded"
else
	ko "app.js did not run: $(grep -o 'id="js-status"[^<]*' "$dir/dom.html")"
fi
if grep -qE 'id="srv-server"[^>]*>forkhttpd/' "$dir/dom.html"; then
	ok "fetch(\"/\") from the page saw Server: forkhttpd"
else
	ko "the page shows no Server field from its fetch"
fi

# 2. Every stylesheet, script and image of the page was fetched by the
#    browser with 200 (the access log names its user agent).
assets=$( { grep -oE '<(script|img)[^>]* src="/?[^":]*"' "$htdocs/index.html" |
    sed -e 's/.* src="//' -e 's/"$//'
    grep -oE '<link[^>]*rel="stylesheet"[^>]*>' "$htdocs/index.html" |
    sed -n 's/.* href="\([^":]*\)".*/\1/p'; } | sed 's|^\([^/]\)|/\1|' | sort -u)
[ -n "$assets" ] || ko "index.html references no stylesheet, script or image"
for a in $assets; do
	i=0
	while [ $i -lt 50 ] && ! grep -qF "\"GET $a HTTP/1.1\" 200 " \
	    "$dir/access.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if grep -F "\"GET $a HTTP/1.1\" 200 " "$dir/access.log" |
	    grep -q 'HeadlessChrome'; then
		ok "the browser fetched $a: 200"
	else
		ko "the browser did not fetch $a with 200"
	fi
done
finish
