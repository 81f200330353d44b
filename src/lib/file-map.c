// SPDX-License-Identifier: MIT
#include "file-map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"

// Pages are mapped in this many bytes ahead at once and given back when
// further than this behind. (Like any reader of mapped files, a file
// cut short by someone else while it is read ends the reader with
// SIGBUS.)
#define WINDOW ((size_t)1 << 20)

static bool read_all(int fd, struct pd_file *f) {
	size_t cap = 0;
	for (;;) {
		pd_xgrow(&f->buf, &cap, f->size + 65536, 1);
		ssize_t r = read(fd, f->buf + f->size, cap - f->size);
		if (r == 0) {
			return true;
		}
		if (r < 0 && errno != EINTR) {
			return false;
		}
		f->size += r > 0 ? (size_t)r : 0;
	}
}

void *pd_map_read(int fd, size_t size) {
	// Shared, as it is never written: the kernel maps the page cache's
	// pages in half the time it takes for a private mapping
	// (MADV_POPULATE_READ: 2.6 against 5.0 ms for 41 MB). Some file
	// systems (FUSE with direct I/O) map only private.
	void *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	return m != MAP_FAILED ? m
		: mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
}

bool pd_file_open(const char *path, struct pd_file *f, bool keep) {
	bool std = strcmp(path, "-") == 0;
	*f = (struct pd_file){.path = path, .fd = -1};
	int fd = std ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	struct stat sb;
	bool ok = true;
	if (fstat(fd, &sb) != 0) {
		sb = (struct stat){0}; // read as a stream below
	}
	// Standard input is read from where it stands, as any filter reads
	// it (a script may have read a header line from it): mapped only
	// when that is its start. The caller's fallback reads it from there
	// again.
	bool at_start = !std || lseek(fd, 0, SEEK_CUR) == 0;
	if (S_ISREG(sb.st_mode) && sb.st_size > 0 && at_start) {
		size_t size = (size_t)sb.st_size;
		void *m = pd_map_read(fd, size);
		f->mapped = m != MAP_FAILED;
		f->buf = f->mapped ? m : NULL;
		f->size = f->mapped ? size : 0;
	}
	if (!f->mapped && !(S_ISREG(sb.st_mode) && sb.st_size == 0)) {
		ok = read_all(fd, f);
	}
	if (f->mapped && keep) {
		f->fd = fd;
	} else if (!std) {
		close(fd);
	}
	return ok;
}

void pd_file_close(struct pd_file *f) {
	if (f->mapped) {
		munmap(f->buf, f->size);
		if (f->fd >= 0 && strcmp(f->path, "-") != 0) {
			close(f->fd);
		}
	} else {
		free(f->buf);
	}
}

bool pd_file_pread(const struct pd_file *f, char *buf, size_t n, size_t off) {
	while (n > 0) {
		ssize_t r = pread(f->fd, buf, n, (off_t)off);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		buf += r;
		n -= (size_t)r;
		off += (size_t)r;
	}
	return true;
}

struct pd_window pd_window(const struct pd_file *f, size_t from, size_t to,
		bool drop) {
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	// Pages are mapped in from the one holding from (madvise takes whole
	// pages) and given back from the first wholly in [from, to): the one
	// before may be another reader's.
	return (struct pd_window){f->buf, from & ~(page - 1),
		(from + page - 1) & ~(page - 1), to, f->mapped, drop};
}

void pd_window_advance(struct pd_window *w, const char *at, const char *held) {
	if (!w->on) {
		return;
	}
	size_t pos = (size_t)(at - w->buf), keep = (size_t)(held - w->buf);
	while (w->ahead < w->to && w->ahead < pos + WINDOW) {
		size_t n = w->to - w->ahead;
		n = n < WINDOW ? n : WINDOW;
		madvise((char *)w->buf + w->ahead, n, MADV_POPULATE_READ);
		w->ahead += n;
	}
	if (w->drop && keep >= w->dropped + 2 * WINDOW) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t upto = (keep - WINDOW) & ~(page - 1);
		madvise((char *)w->buf + w->dropped, upto - w->dropped,
			MADV_DONTNEED);
		w->dropped = upto;
	}
}
