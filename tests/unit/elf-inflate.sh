#!/bin/sh
# SPDX-License-Identifier: MIT
# pd_elf_inflate on a binary whose DWARF objcopy compressed, with zlib and
# with zstd: every kept .debug_* section must hold exactly the bytes
# readelf decompresses from the original, the unread ones must be gone (or
# kept with --all), notes and symbols untouched; corrupt or truncated
# input is declined, no crash.
# usage: elf-inflate.sh TOOL ELF
set -u
tool=$1
elf=$2
command -v objcopy >/dev/null 2>&1 || { echo "skip: objcopy not found"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL ($kind): $*"; exit 1; }
cd "$work" || exit 99
dump() { readelf -z -x "$2" "$1" 2>&1 | grep '^  0x'; }
phdrs() { readelf -lW "$1" | sed -n "/^Program Headers/,/^$/p"; }
# check KIND: the tests below on a copy of ELF compressed with objcopy's
# --compress-debug-sections=KIND.
check() {
	kind=$1
	echo "== $kind"
	objcopy --compress-debug-sections="$kind" "$elf" z.elf || exit 99
	readelf -SW z.elf | grep -q '\.debug_info .* C ' ||
		fail "objcopy did not compress .debug_info"

	"$tool" z.elf out.elf || fail "declined a $kind-compressed file (exit $?)"
	"$tool" --all z.elf all.elf || fail "--all: declined (exit $?)"
	readelf -SW out.elf | grep -q '\.debug_.* C ' && fail "a section is still compressed"

	for sec in .debug_info .debug_abbrev .debug_aranges .debug_rnglists \
			.debug_str .symtab .strtab .text; do
		[ -n "$(dump z.elf $sec)" ] || fail "$sec: empty in the original"
		[ "$(dump z.elf $sec)" = "$(dump out.elf $sec)" ] ||
			fail "$sec: differs from readelf's decompression"
	done
	for sec in .debug_line .debug_loclists; do
		readelf -SW out.elf | grep -q "$sec .*NOBITS" ||
			fail "$sec: should be dropped (NOBITS)"
		[ "$(dump z.elf $sec)" = "$(dump all.elf $sec)" ] ||
			fail "$sec: --all copy differs from readelf's decompression"
	done
	[ "$(readelf -n z.elf)" = "$(readelf -n out.elf)" ] || fail "notes differ"
	[ "$(phdrs z.elf)" = "$(phdrs out.elf)" ] || fail "program headers differ"

	# Nothing to inflate: declined.
	"$tool" "$elf" plain.out
	[ $? -eq 1 ] || fail "an uncompressed file was not declined"

	# Corrupt the compressed .debug_info stream (past its 24-byte header),
	# and cut the file: declined, never a crash.
	off=$(readelf -SW z.elf | awk '$2 == ".debug_info" { print $5 }')
	[ -n "$off" ] || exit 99
	cp z.elf bad.elf
	printf '\377\377\377\377\377\377\377\377' |
		dd of=bad.elf bs=1 seek=$((0x$off + 40)) conv=notrunc 2>/dev/null
	"$tool" bad.elf bad.out
	[ $? -eq 1 ] || fail "a corrupt stream was not declined"
	size=$(wc -c <z.elf)
	for cut in 10 64 $((0x$off + 30)) $((size - 100)); do
		head -c "$cut" z.elf >cut.elf
		"$tool" cut.elf cut.out
		[ $? -eq 1 ] || fail "a file cut at $cut was not declined"
	done
	# Fixed-seed byte flips in the ELF header, the section table and the
	# compression headers: copied or declined, never a crash (the ASan build
	# runs this too).
	python3 - "$tool" z.elf <<-'PY' || fail "a corrupted file crashed the tool"
	import random, struct, subprocess, sys
	tool, path = sys.argv[1], sys.argv[2]
	data = open(path, 'rb').read()
	shoff, = struct.unpack_from('<Q', data, 0x28)
	shnum, = struct.unpack_from('<H', data, 0x3c)
	spots = list(range(64)) + list(range(shoff, min(len(data), shoff + 64 * shnum)))
	for i in range(shnum):  # each section's first bytes (a Chdr if compressed)
	    off, = struct.unpack_from('<Q', data, shoff + 64 * i + 0x18)
	    spots += [o for o in range(off, off + 24) if o < len(data)]
	rnd = random.Random(7)
	for n in range(300):
	    b = bytearray(data)
	    for _ in range(rnd.randint(1, 4)):
	        b[rnd.choice(spots)] = rnd.randrange(256)
	    open('fuzz.elf', 'wb').write(b)
	    r = subprocess.run([tool, 'fuzz.elf', 'fuzz.out'])
	    if r.returncode not in (0, 1):
	        sys.exit('case %d: exit %d' % (n, r.returncode))
	PY
}
check zlib-gabi
check zstd
echo "ok"
