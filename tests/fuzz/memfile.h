// SPDX-License-Identifier: MIT
// A fuzz input as a file the tools can open by name: the bytes written to
// a memfd, named by its /proc/self/fd path.
#ifndef PD_FUZZ_MEMFILE_H
#define PD_FUZZ_MEMFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

struct memfile {
	int fd;
	char path[32];
};

// Writes data[0, size) to a new memfd. False, with nothing to close, if
// that failed.
static inline bool memfile_open(struct memfile *m, const char *name,
		const void *data, size_t size) {
	m->fd = memfd_create(name, 0);
	if (m->fd < 0) {
		return false;
	}
	if (write(m->fd, data, size) != (ssize_t)size) {
		close(m->fd);
		m->fd = -1;
		return false;
	}
	snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
	return true;
}

static inline void memfile_close(struct memfile *m) {
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
}

#endif
