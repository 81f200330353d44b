// SPDX-License-Identifier: MIT
// aarch64 frames for the unwinder's synthetic test (tests/unit/test-unwind-a64.c):
// _start -> main -> mid, built without libc.
__attribute__((noinline)) void leaf(void) {
	__asm__ volatile("nop");
}

__attribute__((noinline)) void mid(void) {
	leaf();
	__asm__ volatile("nop");
}

__attribute__((noinline)) int main(void) {
	mid();
	return 0;
}

void _start(void) {
	main();
	for (;;) {
	}
}
