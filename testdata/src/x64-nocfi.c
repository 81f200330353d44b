// SPDX-License-Identifier: MIT
// x64-frames: a function without CFI that keeps a frame pointer.
int leaf(int x);

__attribute__((noinline)) int nocfi(int x) {
	int r = leaf(x);
	__asm__ volatile("" : "+r"(r));
	return r + 1;
}
