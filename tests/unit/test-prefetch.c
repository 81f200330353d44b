// SPDX-License-Identifier: MIT
// Unit test of the prefetch thread: pages of a 40 MB file mapping appear
// in this process's page tables (/proc/self/pagemap, and the mapping's
// Rss) just ahead of a reader that never touches them: after the reader
// looks at the end first (as file mode does for the feature sections) and
// comes back, and after a jump forward; and are given back behind it, by
// the thread, or at once by the caller when that is far behind.
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "prefetch.h"
#include "check.h"

enum { SIZE = 40 << 20, MB = 1 << 20 };

// Rss in bytes of the mapping that starts at map.
static long rss_of(const void *map) {
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kb = -1;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo;
		if (sscanf(line, "%lx-", &lo) == 1 && strchr(line, ' ')
				&& line[strspn(line, "0123456789abcdef")] == '-') {
			in = lo == (unsigned long)map;
		} else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1) {
			break;
		}
	}
	if (f) {
		fclose(f);
	}
	return kb < 0 ? -1 : kb * 1024;
}

// Whether the page at p is in this process's page tables.
static bool present(const void *p) {
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)p / 4096 * 8);
	bool ok = fd >= 0 && pread(fd, &e, 8, off) == 8;
	if (fd >= 0) {
		close(fd);
	}
	return ok && e >> 63;
}

// Waits up to 5 s for the page at p to be present.
static bool wait_present(const void *p) {
	for (int i = 0; i < 500 && !present(p); i++) {
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return present(p);
}

// Waits up to 5 s for the page at p to be gone.
static bool wait_gone(const void *p) {
	for (int i = 0; i < 500 && present(p); i++) {
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return !present(p);
}

// Waits up to 5 s for the mapping's Rss to reach want bytes.
static long wait_rss(const void *map, long want) {
	long rss = 0;
	for (int i = 0; i < 500 && (rss = rss_of(map)) < want; i++) {
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return rss;
}

int main(void) {
	char path[] = "/tmp/pd-test-prefetch-XXXXXX";
	int fd = mkstemp(path);
	char *chunk = calloc(1, MB);
	for (int i = 0; fd >= 0 && i < SIZE / MB; i++) {
		memset(chunk, i, MB);
		if (write(fd, chunk, MB) != MB) {
			perror(path);
			return 99;
		}
	}
	free(chunk);
	const uint8_t *map = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(map != MAP_FAILED);
	CHECK(rss_of(map) == 0);
	CHECK(pd_prefetch_start(map, 2 * MB) == NULL); // too small to bother
	struct pd_prefetch *p = pd_prefetch_start(map, SIZE);
	CHECK(p != NULL);
	pd_prefetch_at(p, SIZE - 100); // the end first, then back
	pd_prefetch_at(p, 100);
	CHECK(wait_present(map + 1 * MB));
	long first = wait_rss(map, 2 * MB);
	CHECK(first >= 2 * MB && first < 12 * MB); // ahead, not everything
	CHECK(!present(map + 28 * MB));
	pd_prefetch_at(p, 26 * MB); // a jump forward
	CHECK(wait_present(map + 27 * MB));
	long second = wait_rss(map, first + 2 * MB);
	CHECK(second >= first + 2 * MB);
	CHECK(present(map) && present(map + 1 * MB));
	pd_prefetch_release(p, 1 * MB); // a little behind: the thread's job
	CHECK(wait_gone(map));
	CHECK(present(map + 1 * MB));
	pd_prefetch_release(p, 24 * MB); // more than 2 MB: done before return
	CHECK(!present(map + 1 * MB));
	CHECK(present(map + 27 * MB));
	pd_prefetch_stop(p);
	pd_prefetch_stop(NULL);
	munmap((void *)map, SIZE);
	close(fd);
	unlink(path);
	return check_status();
}
