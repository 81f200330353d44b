// SPDX-License-Identifier: MIT
// x64-frames: code for tests/unit/test-unwind-fp.c's hand-made sample.
// leaf() and main() have CFI; nocfi() (built without unwind tables, see
// testdata/README.md) has none but keeps a frame pointer, like JIT code.
__attribute__((noinline)) int leaf(int x) {
	__asm__ volatile("" : "+r"(x));
	return x * 3;
}

__attribute__((noinline)) int nocfi(int x);

__attribute__((noinline)) int main(void) {
	return nocfi(7) + 1;
}

void _start(void) {
	main();
	for (;;) {
	}
}
