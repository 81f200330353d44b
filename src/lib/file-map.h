// SPDX-License-Identifier: MIT
// Files in memory for readers that go through them in order: a regular
// file mapped (read through windows of pages, mapped in ahead and, if
// asked, given back behind), anything else (a pipe) read whole.
#ifndef PD_FILE_MAP_H
#define PD_FILE_MAP_H

#include <stdbool.h>
#include <stddef.h>

// A file in memory: mapped, or what standard input held.
struct pd_file {
	const char *path; // "-": standard input
	char *buf;
	size_t size;
	bool mapped;
	int fd; // mapped and kept open (pd_file_open's keep), else -1
};

// A read-only mapping of the first size bytes of fd, or MAP_FAILED.
void *pd_map_read(int fd, size_t size);
// Opens path into *f; false if it cannot be read (quiet: the caller's
// reader says why, in its order). keep: a mapped file's descriptor stays
// open, for pd_file_pread (a reader of many files keeps only some).
bool pd_file_open(const char *path, struct pd_file *f, bool keep);
void pd_file_close(struct pd_file *f);
// Reads n bytes at off of a mapped file f, its descriptor kept, into buf: false if it cannot
// (an error, or the file cut short since it was mapped). A reader that
// goes through a file once may copy it chunk by chunk into a buffer it
// reuses rather than read the mapping: on virtual machines whose guest
// pages cost the host a fault each time a process first touches them
// (seen here: 41 MB scanned in 21 ms mapped against 7 ms copied and 3
// ms scanned), that is fewer faults, and never more than a chunk of
// the file is in memory.
bool pd_file_pread(const struct pd_file *f, char *buf, size_t n, size_t off);

// A reader's window over bytes [from, to) of a file.
struct pd_window {
	const char *buf;
	size_t ahead, dropped, to; // mapped in up to, given back up to
	bool on, drop;             // on: a mapped file; drop: give back
};

// A window over [from, to) of f; drop: give its pages back behind the
// reader.
struct pd_window pd_window(const struct pd_file *f, size_t from, size_t to,
	bool drop);
// Keeps the window's pages around the reader at at, which still needs
// the bytes from held on (held <= at): a window ahead of at mapped in
// with one call rather than a fault at a time, and (if drop) the pages
// further than a window behind held given back. (Reading them again
// would fault them in from the page cache, so this is never wrong, only
// slower.)
void pd_window_advance(struct pd_window *w, const char *at, const char *held);

#endif
