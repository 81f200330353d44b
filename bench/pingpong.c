// SPDX-License-Identifier: MIT
// pingpong: two threads hand a byte back and forth over two pipes, so
// that each round trip puts both to sleep once: a workload of many short
// waits for bench/offcpu.sh. The waits go through four call paths.
// usage: pingpong [rounds] (default 60000)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int ab[2], ba[2];
static long rounds = 60000;

__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static void wait_byte(int fd) {
	anchor();
	char c;
	if (read(fd, &c, 1) != 1) {
		exit(1);
	}
}

__attribute__((noinline)) static void send_byte(int fd) {
	anchor();
	if (write(fd, "x", 1) != 1) {
		exit(1);
	}
}

__attribute__((noinline)) static void path_a(int in) { anchor(); wait_byte(in); }
__attribute__((noinline)) static void path_b(int in) { anchor(); wait_byte(in); }
__attribute__((noinline)) static void path_c(int in) { anchor(); path_a(in); }
__attribute__((noinline)) static void path_d(int in) { anchor(); path_b(in); }

static void (*const paths[4])(int) = {path_a, path_b, path_c, path_d};

static void *pong(void *arg) {
	for (long i = 0; i < rounds; i++) {
		paths[i & 3](ab[0]);
		send_byte(ba[1]);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc > 1) {
		rounds = atol(argv[1]);
	}
	if (pipe(ab) != 0 || pipe(ba) != 0) {
		return 1;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, pong, NULL) != 0) {
		return 1;
	}
	for (long i = 0; i < rounds; i++) {
		send_byte(ab[1]);
		paths[(i >> 1) & 3](ba[0]);
	}
	pthread_join(t, NULL);
	return 0;
}
