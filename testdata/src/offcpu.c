// SPDX-License-Identifier: MIT
// offcpu: waits and works in known functions for known times, for off-CPU
// and wall-clock profiles. The main thread sleeps (sleep_phase ->
// nap, nanosleep in steps), blocks reading a pipe that a second thread
// ("oc-writer", which sleeps in writer_sleep first) writes to later
// (pipe_phase -> pipe_wait -> read), then spins (spin_phase -> spin).
// Prints the wall time each phase took, as measured here, in microseconds:
// "sleep_us=N pipe_us=N spin_us=N writer_sleep_us=N", to stdout or to
// FILE (when stdout carries perf record -o -).
// usage: offcpu [scale [FILE]] (scale 1: 300 ms sleep, 250 ms pipe, 300 ms
// spin)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static double scale = 1;
static int fds[2];
static long writer_sleep_us;

// Called once by each function below so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

static long now_us(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void sleep_ms(double ms) {
	struct timespec t = {(time_t)(ms / 1000),
		(long)((ms - 1000 * (long)(ms / 1000)) * 1e6)};
	while (nanosleep(&t, &t) != 0) {
	}
}

__attribute__((noinline)) static void nap(double ms) {
	anchor();
	sleep_ms(ms);
}

__attribute__((noinline)) static long sleep_phase(void) {
	anchor();
	long t0 = now_us();
	for (int i = 0; i < 10; i++) {
		nap(30 * scale);
	}
	return now_us() - t0;
}

__attribute__((noinline)) static void writer_sleep(void) {
	anchor();
	long t0 = now_us();
	sleep_ms(250 * scale);
	writer_sleep_us = now_us() - t0;
}

static void *writer(void *arg) {
	prctl(PR_SET_NAME, "oc-writer");
	writer_sleep();
	char c = 'x';
	if (write(fds[1], &c, 1) != 1) {
		exit(1);
	}
	return NULL;
}

__attribute__((noinline)) static void pipe_wait(void) {
	anchor();
	char c;
	if (read(fds[0], &c, 1) != 1) {
		exit(1);
	}
}

__attribute__((noinline)) static long pipe_phase(void) {
	anchor();
	if (pipe(fds) != 0) {
		exit(1);
	}
	long t0 = now_us();
	pthread_t th;
	if (pthread_create(&th, NULL, writer, NULL) != 0) {
		exit(1);
	}
	pipe_wait();
	long t = now_us() - t0;
	pthread_join(th, NULL);
	return t;
}

static volatile unsigned long sink;

// Reads the clock rarely: its vDSO code would be sampled too, and [vdso]
// frames are named only on the recording kernel.
__attribute__((noinline)) static unsigned long spin(long until) {
	anchor();
	unsigned long s = 1;
	while (now_us() < until) {
		for (int i = 0; i < 1 << 18; i++) {
			s = s * 2862933555777941757UL + (unsigned long)i;
			__asm__ volatile("" : "+r"(s));
		}
	}
	return s;
}

__attribute__((noinline)) static long spin_phase(void) {
	anchor();
	long t0 = now_us();
	sink = spin(t0 + (long)(300000 * scale));
	return now_us() - t0;
}

int main(int argc, char **argv) {
	if (argc > 1) {
		scale = atof(argv[1]);
		if (scale <= 0) {
			scale = 1;
		}
	}
	long s = sleep_phase();
	long p = pipe_phase();
	long c = spin_phase();
	FILE *out = argc > 2 ? fopen(argv[2], "w") : stdout;
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fprintf(out, "sleep_us=%ld pipe_us=%ld spin_us=%ld writer_sleep_us=%ld\n",
		s, p, c, writer_sleep_us);
	return fclose(out) != 0;
}
