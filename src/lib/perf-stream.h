// SPDX-License-Identifier: MIT
// The records of one perf.data input, in file order: compressed records
// (COMPRESSED 81, COMPRESSED2 83) expanded through the stream's own zstd
// decompressor, header records handed to the header layer.
#ifndef PD_PERF_STREAM_H
#define PD_PERF_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "perf-header.h"
#include "perf-input.h"
#include "perf.h"

// Opaque; one per file. Borrows in and h, which must outlive it.
struct pd_stream;

// Reads in from its position up to end (UINT64_MAX: to the end of the
// input). Records delivered are marked with file.
struct pd_stream *pd_stream_create(struct pd_input *in, struct pd_header *h,
	uint32_t file, uint64_t end);
void pd_stream_destroy(struct pd_stream *s); // NULL is fine

// The next record that is not a header record: PD_OK with type, misc,
// size, data, offset, compressed and file of *rec set (data valid until
// the next call), PD_FOUND at the end, or an error, already reported.
enum pd_status pd_stream_next(struct pd_stream *s, struct pd_record *rec);
// True while records expanded from the last compressed one remain.
bool pd_stream_pending(const struct pd_stream *s);
// Whether the stream ended (PD_FOUND) without the FINISHED_ROUND record
// perf record ends with, at *off.
bool pd_stream_unended(const struct pd_stream *s, uint64_t *off);

#endif
