// SPDX-License-Identifier: MIT
// The cache's directory and the writing of its files (cache-dir.c), for
// every kind of entry.
#ifndef PD_CACHE_DIR_H
#define PD_CACHE_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The directory of entries (caller frees), NULL without a home; the same,
// made if need be (NULL if it cannot be); the build id of the running pd
// (with libdw's version mixed in), which every entry is tied to; and an
// entry's replacement (a new file renamed over path: readers see the old
// or new).
char *pd_cache_dir(void);
char *pd_cache_make_dir(void);
void pd_cache_pd_build(uint8_t out[20]);
void pd_cache_replace(const char *path, const void *a, size_t na,
	const void *b, size_t nb);
// The same in steps: a new file beside path (-1 if none; *tmp its name),
// written, then closed and renamed over path if all went well (else
// removed); frees tmp.
int pd_cache_temp(const char *path, char **tmp);
bool pd_cache_write(int fd, const void *p, size_t n);
void pd_cache_commit(int fd, char *tmp, const char *path, bool ok);

#endif
