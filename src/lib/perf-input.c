// SPDX-License-Identifier: MIT
// Byte source of the perf.data reader (see perf-input.h): a forward
// window over a mapped file, or a buffer read from a file or a stream.
#include "perf-input.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "env.h"
#include "file-map.h"
#include "pipes.h"
#include "prefetch.h"

#define BUF_MIN (1u << 20)
// Regular files this large and up are read in blocks, not mapped. A
// mapped file costs its reader a fault for every page it maps, and on
// some virtual machines (shadow page tables) much more: on this
// project's test machine a 1 GB --call-graph dwarf profile took 0.50 s
// mapped (a prefetch thread mapping ahead, both cores busy) against
// 0.16 s read, 0.09 s for cat, and 300 MB 159 against 117 ms. Small
// files are read no faster than mapped (bench/README, "Big files are
// read, not mapped", and "Records kept in the blocks read"). The records
// perf's order holds back stay in the blocks they were read into, each
// held (pd_input_hold) until handed out: a fill that needs more bytes
// while its block is held moves on to a new one.
// PD_DEBUG_READ_BLOCK=BYTES (1 to 1 MiB) reads every file, in blocks of
// about that many bytes: for the tests, whose files would fit one block.
#define READ_MIN ((uint64_t)64 << 20)
// Pages behind the reader are given back in 1 MiB steps, so that the
// file's pages do not add up in the peak RSS (a perf.data of a few MB was
// otherwise a third of pd-collapse's). 2 MiB steps left up to 4 MiB behind
// the reader: the end of a file, mapped while the stack table is at its
// largest, was a fifth of the peak (bench/README, "The end of a mapped
// file", 2026-12-07).
#define RELEASE_ALIGN (1u << 20)
#define RELEASE_STEP (1u << 20)   // give back no less at a time

struct pd_input {
	char *name;
	int fd;
	bool seekable;
	uint8_t *map;      // the whole file when it could be mapped
	uint64_t released; // map bytes below this were given back
	uint64_t size;     // regular file size, 0 if unknown
	uint8_t *buf;      // the map, or blk's cap bytes
	struct pd_block *blk; // not mapped: the block read into (pd_input_hold);
	                      // its used: how far it was ever read into
	size_t cap, lo, hi; // valid bytes are buf[lo, hi)
	size_t block;       // read at least this much at a time
	uint64_t pos;      // file offset of buf[lo]
	bool eof;
	struct pd_prefetch *prefetch; // maps pages ahead of pos (4 MiB and up)
};

void pd_input_verror(const struct pd_input *in, uint64_t off,
		const char *fmt, va_list ap) {
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	warnx("%s@0x%llx: %s", in->name, (unsigned long long)off, msg);
}

void pd_input_error(const struct pd_input *in, uint64_t off, const char *fmt,
		...) {
	va_list ap;
	va_start(ap, fmt);
	pd_input_verror(in, off, fmt, ap);
	va_end(ap);
}

static void map_file(struct pd_input *in) {
	if (!in->size || in->size > SIZE_MAX) {
		return;
	}
	// Mapped, records are used in place: no copies, no blocks held.
	void *m = pd_map_read(in->fd, (size_t)in->size);
	if (m == MAP_FAILED) {
		return;
	}
	madvise(m, (size_t)in->size, MADV_SEQUENTIAL);
	in->map = in->buf = m;
	in->hi = (size_t)in->size;
	in->prefetch = pd_prefetch_start(m, in->size);
}

// The bytes read at a time, at least (a record larger is read whole);
// files smaller than *read_min are mapped.
static size_t read_block(uint64_t *read_min) {
	uint64_t v = pd_env_number("PD_DEBUG_READ_BLOCK", BUF_MIN);
	*read_min = v ? 0 : READ_MIN;
	return v ? (size_t)v : BUF_MIN;
}

enum pd_status pd_input_open(struct pd_input **out, const char *path,
		const char *name) {
	*out = NULL;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		warn("%s", name);
		return PD_ENOINPUT;
	}
	struct pd_input *in = pd_xcalloc(1, sizeof(*in));
	in->name = pd_xstrdup(name);
	uint64_t read_min;
	in->block = read_block(&read_min);
	in->fd = fd;
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		sb.st_mode = 0;
	}
	// With 64 KiB, perf and pd woke each other so often that on a
	// 300 MB profile it cost more than reading it.
	pd_pipe_widen(fd);
	if (S_ISREG(sb.st_mode)) {
		// A regular file read through stdin may not start at offset 0.
		in->seekable = lseek(fd, 0, SEEK_CUR) == 0;
		if (in->seekable) {
			in->size = (uint64_t)sb.st_size;
			if (in->size < read_min) {
				map_file(in);
			}
		}
	}
	*out = in;
	return PD_OK;
}

void pd_input_close(struct pd_input *in) {
	if (!in) {
		return;
	}
	if (in->fd != STDIN_FILENO) {
		close(in->fd);
	}
	if (in->map) {
		pd_prefetch_stop(in->prefetch);
		munmap(in->map, (size_t)in->size);
	} else {
		pd_block_unref(in->blk);
	}
	free(in->name);
	free(in);
}

// Moves buf[lo, hi) to the start of a new block of cap bytes (at least
// hi - lo).
static void new_block(struct pd_input *in, size_t cap) {
	struct pd_block *b = pd_block_new(cap);
	b->used = in->hi - in->lo;
	if (b->used) {
		memcpy(b->data, in->buf + in->lo, b->used);
	}
	pd_block_unref(in->blk);
	in->blk = b;
	in->buf = b->data;
	in->cap = cap;
	in->hi -= in->lo;
	in->lo = 0;
}

size_t pd_input_fill(struct pd_input *in, size_t n, const uint8_t **p) {
	if (in->hi - in->lo >= n || in->eof || in->map) {
		*p = in->buf + in->lo;
		return in->hi - in->lo;
	}
	size_t want = n > in->block ? n : in->block;
	struct pd_block *b = in->blk;
	if (b && b->refs == 1 && want <= in->cap) {
		memmove(in->buf, in->buf + in->lo, in->hi - in->lo);
		in->hi -= in->lo;
		in->lo = 0;
	} else if (!b || in->hi != b->used || in->cap - in->lo < n) {
		// Records queued in place still point into the block, up to
		// where it was read (or it is too small): the rest goes to a
		// new one. (With room after the bytes read, as a pipe's short
		// reads leave, reading goes on there.)
		new_block(in, want);
	}
	while (in->hi - in->lo < n) {
		ssize_t k = read(in->fd, in->buf + in->hi, in->cap - in->hi);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			// A read error ends the input like EOF, said here: the
			// reader then reports what is cut short.
			if (k < 0) {
				warn("%s", in->name);
			}
			in->eof = true;
			break;
		}
		in->hi += (size_t)k;
	}
	in->blk->used = in->hi;
	*p = in->buf + in->lo;
	return in->hi - in->lo;
}

void pd_input_drop(struct pd_input *in, size_t n) {
	in->lo += n;
	in->pos += n;
	pd_prefetch_at(in->prefetch, in->pos);
}

bool pd_input_seek(struct pd_input *in, uint64_t off) {
	if (in->map) {
		if (off > in->hi) {
			return false;
		}
		in->lo = (size_t)off;
		in->pos = off;
		pd_prefetch_at(in->prefetch, in->pos);
		return true;
	}
	if (off >= in->pos && off <= in->pos + (in->hi - in->lo)) {
		pd_input_drop(in, (size_t)(off - in->pos));
		return true;
	}
	if (in->seekable) {
		// Past the end is no place, as on a mapped file (lseek would
		// allow it).
		if (off > in->size
				|| lseek(in->fd, (off_t)off, SEEK_SET) == (off_t)-1) {
			return false;
		}
		in->lo = in->hi = 0;
		in->pos = off;
		in->eof = false;
		return true;
	}
	if (off < in->pos) {
		return false;
	}
	while (in->pos < off) {
		const uint8_t *p;
		size_t have = pd_input_fill(in, 1, &p);
		if (have == 0) {
			return false;
		}
		uint64_t step = off - in->pos < have ? off - in->pos : have;
		pd_input_drop(in, (size_t)step);
	}
	return true;
}

uint8_t *pd_input_copy(struct pd_input *in, uint64_t off, uint64_t len) {
	if (in->size && (off > in->size || len > in->size - off)) {
		return NULL;
	}
	const uint8_t *p;
	if (len > SIZE_MAX || !pd_input_seek(in, off)
			|| pd_input_fill(in, (size_t)len, &p) < len) {
		return NULL;
	}
	uint8_t *copy = pd_xmalloc((size_t)len);
	memcpy(copy, p, (size_t)len);
	pd_input_drop(in, (size_t)len);
	if (!in->map && in->cap > 2 * (size_t)in->block
			&& in->hi - in->lo <= in->block) {
		// A large section grew the buffer: back to a block, so that
		// its pages do not stay for the rest of the run.
		new_block(in, in->block);
	}
	return copy;
}

const char *pd_input_name(const struct pd_input *in) {
	return in->name;
}

uint64_t pd_input_pos(const struct pd_input *in) {
	return in->pos;
}

uint64_t pd_input_size(const struct pd_input *in) {
	return in->size;
}

bool pd_input_seekable(const struct pd_input *in) {
	return in->seekable;
}

bool pd_input_mapped(const struct pd_input *in) {
	return in->map != NULL;
}

struct pd_block *pd_input_hold(struct pd_input *in) {
	return in->blk ? pd_block_ref(in->blk) : NULL;
}

void pd_input_release(struct pd_input *in, uint64_t low) {
	if (!in->map) {
		return;
	}
	if (low > in->pos) {
		low = in->pos;
	}
	low &= ~(uint64_t)(RELEASE_ALIGN - 1);
	if (low < in->released + RELEASE_STEP) {
		return;
	}
	if (in->prefetch) {
		pd_prefetch_release(in->prefetch, low);
	} else {
		madvise(in->map + in->released, (size_t)(low - in->released),
			MADV_DONTNEED);
	}
	in->released = low;
}

void pd_input_rest(struct pd_input *in) {
	if (!in->map) {
		return;
	}
	pd_prefetch_stop(in->prefetch);
	in->prefetch = NULL;
	madvise(in->map, (size_t)in->size, MADV_DONTNEED);
	in->released = in->size;
}
