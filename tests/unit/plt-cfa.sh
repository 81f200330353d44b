#!/bin/sh
# SPDX-License-Identifier: MIT
# The CFA pd's unwinder makes up for an x86-64 PLT without CFI (as lld
# leaves it) against the CFI GNU ld writes for the same PLT, at every
# byte (plt-cfa-tool): testdata/src/plt-main.c linked lazily, with IBT
# (.plt.sec) and with -z now, which lay their PLTs out differently.
# usage: plt-cfa.sh TOOL SRCDIR   (exit 0 pass, 1 fail, 77 skip, 99 setup)
set -u
tool=$1
src=$2
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: not x86-64"; exit 77; }
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 99
"${CC:-cc}" -O2 -fPIC -shared -o libplt-lib.so "$src/testdata/src/plt-lib.c" ||
	exit 99
fail=0
# check NAME [cc flags]
check() {
	name=$1
	shift
	"${CC:-cc}" -O2 "$@" -o "plt-$name" "$src/testdata/src/plt-main.c" \
		-L. -lplt-lib || exit 99
	echo "== plt-$name: $*"
	"$tool" "plt-$name"
	case $? in
	0) ;;
	77) echo "plt-$name: no PLT byte has CFI"; fail=1 ;;
	*) fail=1 ;;
	esac
}
check lazy -Wl,-z,lazy
check ibt -fcf-protection=full -Wl,-z,ibtplt -Wl,-z,lazy
check now -Wl,-z,now
if ! readelf -SW plt-ibt | grep -q '\.plt\.sec'; then
	echo "FAIL: the IBT build has no .plt.sec"
	fail=1
fi
exit $fail
