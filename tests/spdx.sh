#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# spdx.sh - every tracked file that can carry a comment says its licence
# in one of its first three lines:
#     SPDX-License-Identifier: BSD-2-Clause
# in its own comment syntax (/* */ for C, CSS and JavaScript, # for
# shell, make, autoconf, conf files and debian/, .\" for man pages,
# <!-- --> for HTML and SVG, after a #! line or an <?xml ?> or DOCTYPE
# line).  So a file that another branch adds without it fails here.
#
# Left out, by name: documentation (README, HACKING, NEWS, LICENSE,
# *.md), images, the fuzz seeds (raw inputs), tests/data (third-party
# fixtures under their own licence, tests/data/llhttp/LICENSE-MIT), and
# the debian/ files whose formats have no comments (changelog,
# copyright, source/format).  A new kind of file that can have no
# comment is added to that list here.
#
# "Tracked" is git's: outside a git work tree (a release tarball, make
# distcheck) the test is skipped (77).

: "${FORKHTTPD_SRCDIR:=.}"

src=$(cd "$FORKHTTPD_SRCDIR" && pwd -P) || exit 1
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$src" ]; then
	echo "SKIP: $src is not the top of a git work tree"
	exit 77
fi

skip='^(tests/data/|tests/fuzz/corpus/)|\.md$|(^|/)README$|^(HACKING|NEWS|LICENSE)$|\.(png|ico|jpg|gif|webp)$|^debian/(changelog|copyright|source/format)$'

pass=0
fail=0
list=$(git -C "$src" ls-files | grep -E -v "$skip")
for f in $list; do
	if head -n 3 "$src/$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'
	then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f: no 'SPDX-License-Identifier: BSD-2-Clause' in its first 3 lines"
	fi
done
if [ "$pass" -eq 0 ]; then
	echo "FAIL: no file checked"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
