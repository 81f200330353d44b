// SPDX-License-Identifier: MIT
// plt-main: main -> outer -> inner, which calls tiny() in libplt-lib.so
// (plt-lib.c) through the PLT in a tight loop, so that many samples fall
// in the PLT stub itself. Linked with GNU ld's
// --no-ld-generated-unwind-info, the PLT has no CFI (as lld leaves it):
// the dwarf live test plt-nocfi requires inner's caller chain under each
// such sample.
// usage: plt-main [rounds] (default 300)
#include <stdlib.h>

int tiny(int);

__attribute__((noinline)) int inner(int n) {
	int s = 0;
	for (int i = 0; i < n; i++) {
		s = tiny(s);
	}
	return s;
}

__attribute__((noinline)) int outer(int n) {
	return inner(n) + 1;
}

int main(int argc, char **argv) {
	long rounds = argc > 1 ? atol(argv[1]) : 300;
	int s = 0;
	for (long r = 0; r < rounds; r++) {
		s += outer(1000000);
	}
	return s & 1;
}
