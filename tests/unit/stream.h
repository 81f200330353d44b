// SPDX-License-Identifier: MIT
// Hand-made pipe-mode perf.data streams for the unit tests: records are
// appended to one buffer, which stream_open writes to a temporary file
// and opens with the reader.
#ifndef PD_TEST_STREAM_H
#define PD_TEST_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"

static uint8_t stream[1 << 25];
static size_t len;

static inline void put(const void *p, size_t n) {
	if (n > sizeof(stream) - len) {
		fprintf(stderr, "stream.h: a test's stream is over %zu bytes\n",
			sizeof(stream));
		exit(99);
	}
	memcpy(stream + len, p, n);
	len += n;
}

static inline void put_u64(uint64_t v) {
	put(&v, 8);
}

static inline void header(uint32_t type, uint16_t misc, size_t size) {
	uint16_t sz = (uint16_t)size;
	put(&type, 4);
	put(&misc, 2);
	put(&sz, 2);
}

// The pipe header, the stream's first bytes.
static inline void stream_header(void) {
	put("PERFILE2", 8);
	put_u64(16);
}

// A HEADER_ATTR record: a software event of config (0: cpu-clock, 1:
// task-clock) with sample_type, read_format and flags, and its one id.
static inline void stream_attr(uint64_t config, uint64_t sample_type,
		uint64_t read_format, uint64_t flags, uint64_t id) {
	uint8_t attr[128] = {0};
	uint32_t type = 1, size = sizeof(attr);
	memcpy(attr, &type, 4);
	memcpy(attr + 4, &size, 4);
	memcpy(attr + 8, &config, 8);
	memcpy(attr + 24, &sample_type, 8);
	memcpy(attr + 32, &read_format, 8);
	memcpy(attr + 40, &flags, 8);
	header(PD_REC_HEADER_ATTR, 0, 8 + sizeof(attr) + 8);
	put(attr, sizeof(attr));
	put_u64(id);
}

// The pipe header and one software event (config 0: cpu-clock) with
// sample_id_all and the given sample_type, id 7.
static inline void stream_begin(uint64_t sample_type) {
	stream_header();
	stream_attr(0, sample_type, 0, PD_ATTR_SAMPLE_ID_ALL, 7);
}

// Writes the stream to a file made from the mkstemp template path and
// opens it; NULL (with the file removed) if either fails.
static inline struct pd_perf *stream_open(char *path) {
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, stream, len) != (ssize_t)len) {
		perror(path);
		exit(99);
	}
	close(fd);
	struct pd_perf *r;
	if (pd_perf_open(&r, path) != PD_OK) {
		unlink(path);
		return NULL;
	}
	return r;
}

#endif
