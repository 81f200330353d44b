// SPDX-License-Identifier: MIT
// perf.data header layer: the file header, attrs and their ids, event
// names, the feature sections (file mode) and the header records a pipe
// carries instead (HEADER_ATTR, HEADER_FEATURE, EVENT_UPDATE, ...).
#ifndef PD_PERF_HEADER_H
#define PD_PERF_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "perf-events.h"
#include "perf-input.h"
#include "perf.h"

// Opaque; reads the header from in and adds the events it finds to ev
// (both borrowed: they must outlive it). Owns copies of what it found
// (strings, build ids and tracing data waiting for a callback).
struct pd_header;

struct pd_header *pd_header_create(struct pd_input *in, struct pd_events *ev);
void pd_header_destroy(struct pd_header *h); // NULL is fine

// Reads the file header from the start of the input and, in file mode,
// the attrs, their ids and (when the file is seekable and whole) the
// feature sections, leaving the input at the start of the data. Reports
// what is wrong and returns PD_EDATA.
enum pd_status pd_header_read(struct pd_header *h);
bool pd_header_pipe(const struct pd_header *h);
// End of the data section; UINT64_MAX: it runs to the end of the input.
uint64_t pd_header_data_end(const struct pd_header *h);
// Whether the file's header gives its data no size, as perf record leaves
// it until it finishes (killed, or the file copied while it ran).
bool pd_header_unfinished(const struct pd_header *h);
// Whether the file has a DIR_FORMAT feature (its records are in a
// directory's data.N files); *version and *off (of the section) if so.
bool pd_header_dir_format(const struct pd_header *h, uint64_t *version,
	uint64_t *off);
// Called once the data section has been read: reads the feature sections
// of a file that could not be read out of order (a stream). Reports what
// is wrong and returns PD_EDATA.
enum pd_status pd_header_finish(struct pd_header *h);

// Handles one of the header records a stream holds (HEADER_ATTR,
// HEADER_EVENT_TYPE, HEADER_TRACING_DATA, HEADER_BUILD_ID, EVENT_UPDATE,
// HEADER_FEATURE), rec[0, size) read at offset off of in; payload: the
// bytes that follow a HEADER_TRACING_DATA record outside its size.
enum pd_status pd_header_record(struct pd_header *h, const struct pd_input *in,
	const uint8_t *rec, uint32_t size, uint64_t off, const uint8_t *payload,
	uint64_t payload_len);

// Feature strings (NULL when absent), owned by h.
const char *pd_header_osrelease(const struct pd_header *h);
const char *pd_header_arch(const struct pd_header *h);

// Callbacks for build ids and tracing data; what was read before one is
// set is kept and handed over when it is.
void pd_header_set_buildid_callback(struct pd_header *h,
	pd_perf_buildid_fn fn, void *arg);
void pd_header_set_release_callback(struct pd_header *h,
	pd_perf_release_fn fn, void *arg);
void pd_header_set_tracing_callback(struct pd_header *h,
	pd_perf_tracing_fn fn, void *arg);

#endif
