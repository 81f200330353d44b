// SPDX-License-Identifier: MIT
// Unit test of records kept in the blocks an input reads (perf-input.c,
// perf-order.c), on a pipe written piece by piece, so that every read is
// as short as the test makes it: a held block is read on after its bytes
// while it has room, and left for a new block (its bytes kept) when it
// has not; and the queue holds input blocks up to its cap
// (PD_DEBUG_HELD_MAX here), then copies records, which come out in order
// and intact either way.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "perf-input.h"
#include "perf-order.h"

static int pipe_fd[2];

// A pd_input on the read end of a fresh pipe, in blocks of 256 bytes.
static struct pd_input *open_pipe(void) {
	if (pipe(pipe_fd) != 0) {
		perror("pipe");
		exit(99);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pipe_fd[0]);
	struct pd_input *in;
	setenv("PD_DEBUG_READ_BLOCK", "256", 1);
	enum pd_status st = pd_input_open(&in, path, "pipe");
	unsetenv("PD_DEBUG_READ_BLOCK");
	close(pipe_fd[0]);
	if (st != PD_OK) {
		exit(99);
	}
	return in;
}

static void put(const void *p, size_t n) {
	if (write(pipe_fd[1], p, n) != (ssize_t)n) {
		perror("write");
		exit(99);
	}
}

static void pattern(uint8_t *p, size_t n, uint8_t seed) {
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + 7 * i);
	}
}

static void test_read_on(void) {
	struct pd_input *in = open_pipe();
	uint8_t a[200], b[40], c[100];
	pattern(a, sizeof(a), 1);
	pattern(b, sizeof(b), 2);
	pattern(c, sizeof(c), 3);
	const uint8_t *p;
	put(a, sizeof(a));
	CHECK(pd_input_fill(in, sizeof(a), &p) == sizeof(a));
	struct pd_block *held = pd_input_hold(in);
	CHECK(held && p == held->data);
	pd_input_drop(in, sizeof(a));
	// Held, with 56 bytes of room after its 200: read on there.
	put(b, sizeof(b));
	CHECK(pd_input_fill(in, sizeof(b), &p) == sizeof(b));
	struct pd_block *now = pd_input_hold(in);
	CHECK(now == held && p == held->data + sizeof(a));
	pd_block_unref(now);
	CHECK(memcmp(p, b, sizeof(b)) == 0);
	pd_input_drop(in, sizeof(b));
	// 16 bytes of room for 100: a new block; the held one keeps its bytes.
	put(c, sizeof(c));
	CHECK(pd_input_fill(in, sizeof(c), &p) == sizeof(c));
	now = pd_input_hold(in);
	CHECK(now && now != held && p == now->data);
	pd_block_unref(now);
	CHECK(memcmp(p, c, sizeof(c)) == 0);
	CHECK(memcmp(held->data, a, sizeof(a)) == 0);
	CHECK(memcmp(held->data + sizeof(a), b, sizeof(b)) == 0);
	pd_block_unref(held);
	close(pipe_fd[1]);
	pd_input_close(in);
}

// A 16-byte sample record of time t, read from the pipe and queued.
static const uint8_t *queue(struct pd_order *o, struct pd_input *in,
		uint64_t t) {
	uint8_t r[16] = {0};
	uint32_t type = PD_REC_SAMPLE;
	uint16_t size = sizeof(r);
	memcpy(r, &type, 4);
	memcpy(r + 6, &size, 2);
	memcpy(r + 8, &t, 8);
	put(r, sizeof(r));
	const uint8_t *p;
	CHECK(pd_input_fill(in, sizeof(r), &p) == sizeof(r));
	pd_order_queue(o, &(struct pd_record){.type = type, .size = size,
		.data = p, .offset = pd_input_pos(in), .time = t});
	pd_input_drop(in, sizeof(r));
	return p;
}

static void skip(struct pd_input *in, size_t n) {
	uint8_t pad[256] = {0};
	put(pad, n);
	const uint8_t *p;
	CHECK(pd_input_fill(in, n, &p) == n);
	pd_input_drop(in, n);
}

static void test_cap(void) {
	struct pd_input *in = open_pipe();
	setenv("PD_DEBUG_HELD_MAX", "300", 1); // one block of 256 bytes
	struct pd_order *o = pd_order_create();
	unsetenv("PD_DEBUG_HELD_MAX");
	pd_order_add_input(o, in);
	const uint8_t *at[4];
	at[0] = queue(o, in, 40); // held: the first block, 256 bytes
	skip(in, 230);            // read on in it, to byte 246 of 256
	at[1] = queue(o, in, 30); // a new block: past the cap, copied
	at[2] = queue(o, in, 20); // the same block: copied
	pd_order_flush(o);
	struct pd_record rec;
	const uint64_t want[3] = {20, 30, 40};
	for (int i = 0; i < 3; i++) {
		CHECK(pd_order_next(o, &rec));
		CHECK(rec.size == 16 && rec.type == PD_REC_SAMPLE);
		uint64_t t;
		memcpy(&t, rec.data + 8, 8);
		CHECK(t == want[i]);
		// 40 where it was read; 30 and 20 in the queue's own block.
		CHECK((rec.data == at[0]) == (t == 40));
		CHECK(rec.data != at[1] && rec.data != at[2]);
	}
	CHECK(!pd_order_next(o, &rec));
	// The input's blocks are given back: the queue's cap counts again.
	at[3] = queue(o, in, 50);
	pd_order_flush(o);
	CHECK(pd_order_next(o, &rec) && rec.data == at[3]);
	pd_order_destroy(o);
	close(pipe_fd[1]);
	pd_input_close(in);
}

int main(void) {
	test_read_on();
	test_cap();
	return check_status();
}
