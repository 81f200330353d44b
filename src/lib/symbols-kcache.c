// SPDX-License-Identifier: MIT
// Kallsyms files indexed once: the text symbols of a kallsyms file (perf's
// copy in ~/.debug, or --kallsyms), sorted, with their names, kept in the
// cache directory as kallsyms-HASH.ksym, HASH that of the file's path. A
// later run maps the entry instead of reading and parsing the file (~5 ms
// for a kernel's 120k symbols).
//
// An entry is used only if the file is as it was (size, modification
// time, inode, device), it was written by this same pd, and it holds
// together: a checksum over the body, names inside the names and ended by
// a NUL, addresses in order. /proc/kallsyms is never cached: what it says
// changes without a trace in its stat (modules, kptr_restrict).
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols-internal.h"
#include "hash.h"
#include "strbuf.h"

#define KC_MAGIC "PDKSYM\0\1"

struct kc_header {
	char magic[8];
	uint64_t checksum; // pd_hash_long of the body
	uint64_t body;     // bytes after the header
	uint64_t nsyms;    // struct ksym each, then the names
	uint64_t names;    // bytes of names, each ended by a NUL
	uint64_t size, mtime, ino, dev; // the kallsyms file's
	uint8_t pd_build[20];
	uint8_t pad[4];
};

static void source_of(int fd, struct pd_kcache_src *src) {
	struct stat st;
	*src = (struct pd_kcache_src){0};
	if (fstat(fd, &st) == 0) {
		src->size = (uint64_t)st.st_size;
		src->mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u
			+ (uint64_t)st.st_mtim.tv_nsec;
		src->ino = (uint64_t)st.st_ino;
		src->dev = (uint64_t)st.st_dev;
	}
	pd_cache_pd_build(src->pd_build);
}

bool pd_kcache_parse(const uint8_t *buf, size_t n,
		const struct pd_kcache_src *src, const struct ksym **syms,
		size_t *nsyms, const char **names) {
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
			|| pd_hash_long(buf + sizeof(*h), h->body, 0)
				!= h->checksum) {
		return false;
	}
	const struct ksym *k = (const void *)(buf + sizeof(*h));
	const char *text = (const char *)(k + h->nsyms);
	for (uint64_t i = 0; i < h->nsyms; i++) {
		if (k[i].name >= h->names || k[i].len >= h->names - k[i].name
				|| text[k[i].name + k[i].len] != '\0'
				|| (i && k[i].addr < k[i - 1].addr)) {
			return false;
		}
	}
	*syms = k;
	*nsyms = (size_t)h->nsyms;
	*names = text;
	return true;
}

static char *entry_path(const char *dir, const char *path) {
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/kallsyms-%016llx.ksym", dir,
		(unsigned long long)pd_hash(path, strlen(path), 3));
	return b.s;
}

bool pd_kcache_load(struct pd_symbols *s, const char *path, int src_fd) {
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
		m = mmap(NULL, (size_t)st.st_size, PROT_READ,
			MAP_PRIVATE | MAP_POPULATE, fd, 0);
	}
	close(fd);
	if (m == MAP_FAILED) {
		return false;
	}
	struct pd_kcache_src src;
	source_of(src_fd, &src);
	const struct ksym *k;
	const char *names;
	size_t n;
	if (!pd_kcache_parse(m, (size_t)st.st_size, &src, &k, &n, &names)) {
		munmap(m, (size_t)st.st_size);
		return false;
	}
	// Lookups touch a few pages: the rest comes back from the file when
	// needed, not counted in the meantime.
	madvise(m, (size_t)st.st_size, MADV_DONTNEED);
	s->kmap = m;
	s->kmap_len = (size_t)st.st_size;
	// Never written through: every name already ends with its NUL.
	s->ksyms = (struct ksym *)k;
	s->nksyms = n;
	s->ktext = (char *)names;
	s->ktext_len = 0;
	s->ktext_mapped = false;
	return true;
}

void pd_kcache_save(struct pd_symbols *s, const char *path, int src_fd) {
	if (s->nksyms == 0) {
		return;
	}
	struct kc_header h = {.nsyms = s->nksyms};
	memcpy(h.magic, KC_MAGIC, 8);
	struct pd_kcache_src src;
	source_of(src_fd, &src);
	h.size = src.size;
	h.mtime = src.mtime;
	h.ino = src.ino;
	h.dev = src.dev;
	memcpy(h.pd_build, src.pd_build, 20);
	// The symbols with their names' new places, then the names.
	struct pd_strbuf body = {0};
	struct pd_strbuf text = {0};
	bool fits = true;
	for (size_t i = 0; i < s->nksyms && fits; i++) {
		const struct ksym *k = &s->ksyms[i];
		struct ksym out = {k->addr, (uint32_t)text.len, k->len};
		fits = text.len + k->len + 1 <= UINT32_MAX;
		pd_strbuf_add(&text, s->ktext + k->name, k->len);
		pd_strbuf_addc(&text, '\0');
		pd_strbuf_add(&body, (const char *)&out, sizeof(out));
	}
	h.names = text.len;
	pd_strbuf_add(&body, text.s, text.len);
	h.body = body.len;
	h.checksum = pd_hash_long(body.s, body.len, 0);
	char *dir = fits ? pd_cache_dir() : NULL;
	if (dir) {
		// The parent of pd's directory (~/.cache) may not exist yet.
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
		mkdir(dir, 0700);
		char *file = entry_path(dir, path);
		pd_cache_replace(file, &h, sizeof(h), body.s, body.len);
		free(file);
		free(dir);
	}
	pd_strbuf_finish(&body);
	pd_strbuf_finish(&text);
}
