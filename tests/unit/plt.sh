#!/bin/sh
# SPDX-License-Identifier: MIT
# name@plt symbols (src/lib/symbols-plt.c) against objdump's own: for a
# program built with a lazy .plt and with an IBT .plt.sec, every PLT entry
# objdump names must resolve to the same name in pd, and the PLT header
# to none of them. In libc, whose .plt also holds IFUNC entries (IRELATIVE
# relocations, which objdump names *ABS*+0x...@plt), each of those must
# be named after a symbol readelf lists at its resolver's address.
# usage: plt.sh TOOL SRCDIR   (exit 0 pass, 1 fail, 77 skip, 99 setup)
set -u
tool=$1
src=$2
command -v objdump >/dev/null 2>&1 || { echo "skip: objdump not found"; exit 77; }
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "skip: no C compiler"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work" || exit 99

# check BINARY SECTION: objdump's "<name@plt>:" entries in SECTION.
check() {
	bin=$1 sec=$2
	# the section's address and file offset, to turn addresses to offsets
	set -- $(readelf -SW "$bin" | awk -v s="$sec" '$2 == s { print $4, $5 }')
	[ $# = 2 ] || fail "$bin: no $sec section"
	delta=$((0x$1 - 0x$2))
	objdump -d -j "$sec" "$bin" |
		sed -n 's/^\([0-9a-f]*\) <\(.*@plt\)>:$/\1 \2/p' >want.txt
	n=$(wc -l <want.txt)
	[ "$n" -ge 3 ] || fail "$bin: objdump shows $n PLT entries in $sec"
	offs=$(while read -r addr name; do printf '%d ' $((0x$addr - delta)); done <want.txt)
	"$tool" "$bin" $offs | awk '{ print $2 }' >got.txt
	awk '{ print $2 }' want.txt | paste -d' ' - got.txt | while read -r w g; do
		[ "$w" = "$g" ] || { echo "FAIL: $bin $sec: objdump $w, pd $g"; exit 1; }
	done || exit 1
	# an address inside an entry (not its start) has the entry's name too
	first=$(head -1 want.txt | awk '{ print $2 }')
	mid=$(($(head -1 want.txt | awk '{ print "0x" $1 }') - delta + 6))
	[ "$("$tool" "$bin" "$mid" | awk '{ print $2 }')" = "$first" ] ||
		fail "$bin: inside $first"
	echo "$bin $sec: $n entries as objdump names them"
}

cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
	char *p = malloc(64);
	memset(p, 'x', 63);
	p[63] = 0;
	printf("%zu %s\n", strlen(p), argc > 5 ? getenv("HOME") : "");
	free(p);
	return atoi(argc > 1 ? argv[1] : "0");
}
C
"${CC:-cc}" -O1 -o lazy prog.c || exit 99
check lazy .plt
# IBT: the entries move to .plt.sec, .plt keeps the lazy stubs.
if "${CC:-cc}" -O1 -fcf-protection=full -Wl,-z,ibtplt -o ibt prog.c 2>/dev/null &&
		readelf -SW ibt | grep -q '\.plt\.sec'; then
	check ibt .plt.sec
else
	echo "no .plt.sec from this toolchain: IBT case not run"
fi

libc=$(ldd ./lazy | awk '/libc\.so/ { print $3 }')
[ -f "$libc" ] || { echo "no libc found: IFUNC case not run"; exit 0; }
set -- $(readelf -SW "$libc" | awk '$2 == ".plt" { print $4, $5 }')
delta=$((0x$1 - 0x$2))
# GOT slot order is PLT order; entry i follows the 16-byte header
readelf -rW "$libc" | awk '/Relocation section .\.rela\.plt/ { on = 1; next }
	/Relocation section/ { on = 0 } on && $1 ~ /^[0-9a-f]+$/ { print $1, $3, $NF }' |
	sort >rels.txt
[ -s rels.txt ] || fail "$libc: no .rela.plt"
id=$(readelf -n "$libc" | awk '/Build ID/ { print $3 }')
dbg=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
{ readelf -sW "$libc"; [ -f "$dbg" ] && readelf -sW "$dbg"; } 2>/dev/null |
	awk '$1 ~ /:$/ { sub(/@.*/, "", $8); print $2, $8 }' >syms.txt
n=0 i=0
while read -r got type target; do
	i=$((i + 1))
	[ "$type" = R_X86_64_IRELATIVE ] || continue
	off=$((0x$1 + 16 * i - delta))
	name=$("$tool" "$libc" "$off" | awk '{ print $2 }')
	want=$(printf '%016x' "0x$target")
	grep -q "^$want ${name%@plt}\$" syms.txt ||
		fail "$libc: IFUNC entry $i (resolver 0x$target) named '$name'"
	n=$((n + 1))
done <rels.txt
echo "$libc .plt: $n IFUNC entries named after their IFUNC"
