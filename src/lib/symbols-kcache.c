// SPDX-License-Identifier: MIT
// Kallsyms files indexed once: the text symbols of a kallsyms file (perf's
// copy in ~/.debug, or --kallsyms), sorted, with their names, kept in the
// cache directory as kallsyms-HASH.ksym, HASH that of the file's path. A
// later run reads the entry instead of reading and parsing the file (~5 ms
// for a kernel's 120k symbols).
//
// An entry is used only if the file is as it was (size, modification
// time, inode, device), it was written by this same pd, and it holds
// together: a checksum over the body, names inside the names and ended by
// a NUL, addresses in order. It is mapped only to be checked; lookups
// then read the blocks of symbols they need with pread and check each
// name again (the file could be rewritten in place meanwhile, or cut
// short: a lookup that cannot read finds no symbol). An index is written
// only if the file did not change while it was read. /proc/kallsyms is
// never cached: what it says changes without a trace in its stat
// (modules, kptr_restrict).
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache-dir.h"
#include "symbols-internal.h"
#include "alloc.h"
#include "hash.h"
#include "strbuf.h"

#define KC_MAGIC "PDKSYM\0\1"
#define KC_WINDOW ((size_t)1 << 20)

struct kc_header {
	char magic[8];
	uint64_t checksum; // of the body: see checksum()
	uint64_t body;     // bytes after the header
	uint64_t nsyms;    // struct ksym each, then the names
	uint64_t names;    // bytes of names, each ended by a NUL
	uint64_t size, mtime, ino, dev; // the kallsyms file's
	uint8_t pd_build[20];
	uint8_t pad[4];
};

bool pd_kcache_source(int fd, struct pd_kcache_src *src) {
	struct stat st;
	*src = (struct pd_kcache_src){0};
	bool ok = fstat(fd, &st) == 0;
	if (ok) {
		src->size = (uint64_t)st.st_size;
		src->mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u
			+ (uint64_t)st.st_mtim.tv_nsec;
		src->ino = (uint64_t)st.st_ino;
		src->dev = (uint64_t)st.st_dev;
	}
	pd_cache_pd_build(src->pd_build);
	return ok && S_ISREG(st.st_mode) && st.st_size > 0;
}

// The checksum of a body: of the hashes of its windows, each hashed,
// then given to done (if any) as no longer needed.
static uint64_t checksum(const uint8_t *body, size_t n,
		void (*done)(const void *, size_t)) {
	size_t nw = n / KC_WINDOW + 1;
	uint64_t *w = pd_xmalloc(nw * sizeof(*w));
	for (size_t i = 0; i < nw; i++) {
		size_t off = i * KC_WINDOW;
		size_t len = n - off < KC_WINDOW ? n - off : KC_WINDOW;
		w[i] = pd_hash_long(body + off, len, i);
		if (done) {
			done(body + off, len);
		}
	}
	uint64_t sum = pd_hash_long(w, nw * sizeof(*w), 0);
	free(w);
	return sum;
}

uint64_t pd_kcache_checksum(const uint8_t *body, size_t n) {
	return checksum(body, n, NULL);
}

bool pd_kcache_parse(const uint8_t *buf, size_t n,
		const struct pd_kcache_src *src, struct pd_kcache *out,
		void (*done)(const void *, size_t)) {
	const struct kc_header *h = (const void *)buf;
	if (n < sizeof(*h) || (uintptr_t)buf % 8 != 0
			|| memcmp(h->magic, KC_MAGIC, 8) != 0
			|| h->body != n - sizeof(*h)
			|| memcmp(h->pd_build, src->pd_build, 20) != 0
			|| h->size != src->size || h->mtime != src->mtime
			|| h->ino != src->ino || h->dev != src->dev
			|| h->names == 0 || h->names > UINT32_MAX
			|| h->names > h->body || h->nsyms == 0
			|| (h->body - h->names) % sizeof(struct ksym) != 0
			|| (h->body - h->names) / sizeof(struct ksym) != h->nsyms
			|| checksum(buf + sizeof(*h), h->body, done)
				!= h->checksum) {
		return false;
	}
	const struct ksym *k = (const void *)(buf + sizeof(*h));
	const char *text = (const char *)(k + h->nsyms);
	size_t ntop = (size_t)(h->nsyms + PD_KTOP - 1) / PD_KTOP;
	uint64_t *top = pd_xmalloc(ntop * sizeof(*top));
	size_t gone = 0; // symbols given to done
	for (uint64_t i = 0; i < h->nsyms; i++) {
		if (k[i].name >= h->names || k[i].len >= h->names - k[i].name
				|| text[k[i].name + k[i].len] != '\0'
				|| (i && k[i].addr < k[i - 1].addr)) {
			free(top);
			return false;
		}
		if (i % PD_KTOP == 0) {
			top[i / PD_KTOP] = k[i].addr;
		}
		// Names come in the symbols' order: those before this one's
		// and the symbols before it are done with.
		if (done && (i - gone) * sizeof(*k) >= KC_WINDOW) {
			done(k + gone, (i - gone) * sizeof(*k));
			done(text, k[i].name);
			gone = i;
		}
	}
	*out = (struct pd_kcache){k, (size_t)h->nsyms, text, (size_t)h->names,
		top};
	return true;
}

// Gives back the whole pages of [p, p + n) (they come back from the file
// if read again).
static void drop(const void *p, size_t n) {
	pd_give_back((void *)p, n);
}

static char *entry_path(const char *dir, const char *path) {
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/kallsyms-%016llx.ksym", dir,
		(unsigned long long)pd_hash(path, strlen(path), 3));
	return b.s;
}

bool pd_kcache_load(struct pd_symbols *s, const char *path,
		const struct pd_kcache_src *src) {
	char *dir = pd_cache_dir();
	if (!dir) {
		return false;
	}
	char *file = entry_path(dir, path);
	free(dir);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	free(file);
	if (fd < 0) {
		return false;
	}
	struct stat st;
	void *m = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
			&& st.st_size >= (off_t)sizeof(struct kc_header)) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (m == MAP_FAILED) {
		close(fd);
		return false;
	}
	// Read through once, a window at a time, each dropped after.
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	struct pd_kcache kc;
	bool ok = pd_kcache_parse(m, (size_t)st.st_size, src, &kc, drop);
	munmap(m, (size_t)st.st_size);
	if (!ok) {
		close(fd);
		return false;
	}
	// Lookups read the block of symbols and the name they need from
	// the file (symbols-kernel.c), checking each name again.
	s->kfd = fd;
	s->kread = true;
	s->ksyms_at = sizeof(struct kc_header);
	s->ktext_at = s->ksyms_at + kc.n * sizeof(struct ksym);
	s->ktop = kc.top;
	s->ksyms = NULL;
	s->nksyms = kc.n;
	s->ktext = NULL;
	s->ktext_len = kc.names_len;
	s->ktext_mapped = false;
	return true;
}

// The body of an entry as it is written, a window at a time: the memory
// it takes is one window, whatever the kernel.
struct wout {
	int fd;
	uint8_t *buf;   // KC_WINDOW bytes
	size_t used;
	uint64_t *sums; // of the windows written, as checksum() makes them
	size_t nsums, cap;
	bool ok;
};

static void wout_flush(struct wout *w) {
	pd_xgrow(&w->sums, &w->cap, w->nsums + 1, sizeof(*w->sums));
	w->sums[w->nsums] = pd_hash_long(w->buf, w->used, w->nsums);
	w->nsums++;
	w->ok = w->ok && pd_cache_write(w->fd, w->buf, w->used);
	w->used = 0;
}

static void wout_add(struct wout *w, const void *p, size_t n) {
	const uint8_t *b = p;
	while (n > 0) {
		size_t k = KC_WINDOW - w->used < n ? KC_WINDOW - w->used : n;
		memcpy(w->buf + w->used, b, k);
		w->used += k;
		b += k;
		n -= k;
		if (w->used == KC_WINDOW) {
			wout_flush(w);
		}
	}
}

void pd_kcache_save(struct pd_symbols *s, const char *path, int src_fd,
		const struct pd_kcache_src *src) {
	// Not if the file changed while it was read: the symbols may be of
	// neither state.
	struct pd_kcache_src now;
	pd_kcache_source(src_fd, &now);
	if (memcmp(&now, src, sizeof(now)) != 0) {
		return;
	}
	uint64_t names = 0;
	for (size_t i = 0; i < s->nksyms; i++) {
		names += s->ksyms[i].len + 1u;
	}
	char *dir = s->nksyms && names <= UINT32_MAX ? pd_cache_make_dir()
		: NULL;
	if (!dir) {
		return;
	}
	char *file = entry_path(dir, path), *tmp;
	free(dir);
	struct wout w = {.fd = pd_cache_temp(file, &tmp), .ok = true};
	if (w.fd < 0) {
		free(file);
		return;
	}
	struct kc_header h = {.nsyms = s->nksyms, .names = names};
	w.ok = lseek(w.fd, sizeof(h), SEEK_SET) == (off_t)sizeof(h);
	w.buf = pd_xmalloc(KC_WINDOW);
	// The symbols with their names' new places, then the names.
	uint32_t at = 0;
	for (size_t i = 0; i < s->nksyms; i++) {
		const struct ksym *k = &s->ksyms[i];
		struct ksym out = {k->addr, at, k->len};
		wout_add(&w, &out, sizeof(out));
		at += k->len + 1;
	}
	for (size_t i = 0; i < s->nksyms; i++) {
		const struct ksym *k = &s->ksyms[i];
		wout_add(&w, s->ktext + k->name, k->len);
		wout_add(&w, "", 1);
	}
	wout_flush(&w);
	memcpy(h.magic, KC_MAGIC, 8);
	h.body = s->nksyms * sizeof(struct ksym) + names;
	h.checksum = pd_hash_long(w.sums, w.nsums * sizeof(*w.sums), 0);
	h.size = src->size;
	h.mtime = src->mtime;
	h.ino = src->ino;
	h.dev = src->dev;
	memcpy(h.pd_build, src->pd_build, 20);
	w.ok = w.ok && pwrite(w.fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h);
	pd_cache_commit(w.fd, tmp, file, w.ok);
	free(file);
	free(w.buf);
	free(w.sums);
}
