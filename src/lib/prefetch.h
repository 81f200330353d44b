// SPDX-License-Identifier: MIT
#ifndef PD_PREFETCH_H
#define PD_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

// A thread that maps the pages of a read-only file mapping into the page
// tables (MADV_POPULATE_READ) a little ahead of a reader moving forward
// through it, so the reader's core spends no time in page faults, and
// unmaps the pages behind it.
struct pd_prefetch;

// NULL when the mapping is too small to be worth a thread, or no thread
// could be started.
struct pd_prefetch *pd_prefetch_start(const uint8_t *map, uint64_t size);
// The reader is at pos; cheap to call often.
void pd_prefetch_at(struct pd_prefetch *p, uint64_t pos);
// The reader is done with everything below to: the thread gives those
// pages back (MADV_DONTNEED) off the reader's core, or the caller does
// when the thread has fallen 4 MiB behind. to only grows.
void pd_prefetch_release(struct pd_prefetch *p, uint64_t to);
// Stops and joins the thread; NULL is fine. Call before unmapping.
void pd_prefetch_stop(struct pd_prefetch *p);

#endif
