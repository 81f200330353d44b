// SPDX-License-Identifier: MIT
// A tiny "JIT": copies x86-64 code for two busy loops into anonymous
// executable memory, describes it in /tmp/perf-PID.map as perf expects,
// and calls it. Used by tests/live/live.sh jit.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// mov ecx, imm32; loop: dec ecx; jnz loop; ret
static const unsigned char loop_code[] = {
	0xb9, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xc3,
};

static void (*emit(unsigned char *at, unsigned int count))(void) {
	memcpy(at, loop_code, sizeof(loop_code));
	memcpy(at + 1, &count, 4);
	return (void (*)(void))at;
}

__attribute__((noinline)) static void run(void (*f)(void), int n) {
	for (int i = 0; i < n; i++) {
		f();
	}
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 300;
	unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	void (*hot)(void) = emit(mem, 2000000);
	void (*cold)(void) = emit(mem + 64, 1000000);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	fprintf(f, "%lx %zx jit_hot_loop\n", (unsigned long)mem, sizeof(loop_code));
	fprintf(f, "%lx %zx jit_cold_loop\n", (unsigned long)(mem + 64),
		sizeof(loop_code));
	fclose(f);
	run(hot, n);
	run(cold, n);
	printf("%s\n", path);
	return 0;
}
