// SPDX-License-Identifier: MIT
// The cache's directory and its files, for every kind of entry (resolved
// addresses, symbols-cache.c; kallsyms indexes, symbols-kcache.c; unwind
// rules, unwind-cache.c): where they live, the build of pd (and libdw)
// they are tied to, and how they are written: to a temporary file renamed
// into place, so that a reader sees the old entry or the new one.
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>

#include "cache-dir.h"
#include "alloc.h"
#include "hash.h"
#include "strbuf.h"

// The build id of the running program, from its own notes in memory;
// zeros if it has none (then entries are tied to its size and time).
static int own_note(struct dl_phdr_info *info, size_t size, void *arg) {
	uint8_t *out = arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE) {
			continue;
		}
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;
		while (end - p >= 12) {
			ElfW(Nhdr) nh;
			memcpy(&nh, p, sizeof(nh));
			const uint8_t *name = p + 12;
			const uint8_t *desc = name + ((nh.n_namesz + 3) & ~3u);
			if (desc > end || nh.n_descsz > (size_t)(end - desc)) {
				break;
			}
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4
					&& memcmp(name, "GNU", 4) == 0) {
				memcpy(out, desc, nh.n_descsz < 20 ? nh.n_descsz : 20);
				return 1;
			}
			p = desc + ((nh.n_descsz + 3) & ~3u);
		}
	}
	return 1; // the first object is the program itself
}

void pd_cache_pd_build(uint8_t out[20]) {
	memset(out, 0, 20);
	dl_iterate_phdr(own_note, out);
	static const uint8_t zero[20];
	struct stat st;
	if (memcmp(out, zero, 20) == 0 && stat("/proc/self/exe", &st) == 0) {
		uint64_t v[2] = {(uint64_t)st.st_size,
			(uint64_t)st.st_mtim.tv_sec * 1000000000u
				+ (uint64_t)st.st_mtim.tv_nsec};
		memcpy(out, v, sizeof(v));
	}
	// libdw is a shared library, upgraded on its own: entries hold its
	// reading of DWARF and CFI, so they are tied to its version too.
	const char *lib = dwfl_version(NULL);
	uint64_t h = lib ? pd_hash(lib, strlen(lib), 0) : 0, x;
	memcpy(&x, out + 12, 8);
	x ^= h;
	memcpy(out + 12, &x, 8);
}

char *pd_cache_dir(void) {
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct pd_strbuf b = {0};
	if (x && x[0] == '/') {
		pd_strbuf_printf(&b, "%s/pd", x);
	} else if (home && home[0] == '/') {
		pd_strbuf_printf(&b, "%s/.cache/pd", home);
	}
	return b.s;
}

char *pd_cache_make_dir(void) {
	char *dir = pd_cache_dir();
	if (!dir) {
		return NULL;
	}
	// The parent of pd's directory (~/.cache) may not exist yet.
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0700);
	*slash = '/';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	return dir;
}

// Removes the temporary files of path's entry left by runs that ended
// while writing them (killed): those not written to for ten minutes. A
// run writing one now keeps it fresh.
static void remove_stale(const char *path) {
	const char *slash = strrchr(path, '/');
	if (!slash) {
		return;
	}
	char *dir = pd_xstrndup(path, (size_t)(slash - path));
	const char *base = slash + 1;
	size_t n = strlen(base);
	DIR *d = opendir(dir);
	time_t old = time(NULL) - 600;
	for (struct dirent *e; d && (e = readdir(d));) {
		struct stat st;
		if (strncmp(e->d_name, base, n) == 0 && e->d_name[n] == '.'
				&& strlen(e->d_name + n + 1) == 6
				&& fstatat(dirfd(d), e->d_name, &st,
					AT_SYMLINK_NOFOLLOW) == 0
				&& S_ISREG(st.st_mode) && st.st_mtime < old) {
			unlinkat(dirfd(d), e->d_name, 0);
		}
	}
	if (d) {
		closedir(d);
	}
	free(dir);
}

int pd_cache_temp(const char *path, char **tmp) {
	remove_stale(path);
	struct pd_strbuf t = {0};
	pd_strbuf_printf(&t, "%s.XXXXXX", path);
	int fd = mkstemp(t.s);
	if (fd < 0) {
		pd_strbuf_finish(&t);
	}
	*tmp = t.s;
	return fd;
}

bool pd_cache_write(int fd, const void *p, size_t n) {
	const char *b = p;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w <= 0) {
			return false;
		}
		b += w;
		n -= (size_t)w;
	}
	return true;
}

void pd_cache_commit(int fd, char *tmp, const char *path, bool ok) {
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
	}
	free(tmp);
}

void pd_cache_replace(const char *path, const void *a, size_t na,
		const void *b, size_t nb) {
	char *tmp;
	int fd = pd_cache_temp(path, &tmp);
	if (fd >= 0) {
		pd_cache_commit(fd, tmp, path, pd_cache_write(fd, a, na)
			&& pd_cache_write(fd, b, nb));
	}
}
