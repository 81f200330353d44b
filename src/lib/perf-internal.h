// SPDX-License-Identifier: MIT
// Private to perf-header.c and perf-records.c: the reader's state.
#ifndef PD_PERF_INTERNAL_H
#define PD_PERF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "perf.h"

#define MAGIC2 0x32454c4946524550ULL  // "PERFILE2"
#define MAGIC1 0x454c494646524550ULL  // "PERFFILE"
#define FILE_HEADER_SIZE 104
#define PIPE_HEADER_SIZE 16
#define MAX_PREAMBLE (256u << 20)     // attrs + ids before the data section
#define MAX_FEATURE (64u << 20)
#define MAX_QUEUED (256u << 20)       // bytes held by the ordering queue
#define FEAT_BUILD_ID 2
#define FEAT_OSRELEASE 4
#define FEAT_ARCH 6
#define FEAT_EVENT_DESC 12
#define BUF_MIN (1u << 20)
#define QBLOCK (1u << 20)             // > any record (u16 size)

struct input {
	int fd;
	bool seekable;
	uint8_t *map;    // the whole file when it could be mapped
	uint64_t released; // map bytes below this were given back
	uint64_t size;   // regular file size, 0 if unknown
	uint8_t *buf;
	size_t cap, lo, hi; // valid bytes are buf[lo, hi)
	uint64_t pos;    // file offset of buf[lo]
	bool eof;
	struct pd_prefetch *prefetch; // maps pages ahead of pos (big files)
};

// Queued records are copied into shared blocks, freed when the last
// record in them has been handed out.
struct qblock {
	size_t used, cap, refs;
	uint8_t data[];
};

struct qent {
	uint64_t time, seq, offset;
	bool compressed;
	uint32_t size;
	struct qblock *block;
	uint8_t *data; // copy of the record inside block
};

struct pd_perf {
	const char *name;
	struct input in;
	bool pipe;
	uint64_t data_off, data_end; // data_end UINT64_MAX: to EOF
	uint64_t feat_bits[4];
	bool read_features_after; // non-seekable file mode
	bool done_reading;
	uint32_t last_type;     // of the last record read from the input
	enum pd_status err;

	struct pd_event *events;
	size_t nevents, events_cap;
	uint64_t *id_keys;
	uint32_t *id_vals; // event index + 1
	size_t id_slots, nids;

	ZSTD_DStream *zs;
	uint8_t *zbuf;
	size_t zcap, zlo, zhi;
	uint64_t zoff;
	bool zmid_block; // the zstd stream stopped inside a block

	struct qent *q, *qtmp;
	size_t qn, qcap, qtmp_cap, ready, next;
	uint64_t qbytes, seq;
	uint64_t max_time, next_flush;
	bool ordered;
	struct qblock *fill;    // block new copies go to
	struct qblock *cur;     // block of the record handed out last

	uint64_t unknown;
	char *osrelease, *arch;
	pd_perf_buildid_fn buildid_fn;
	void *buildid_arg;
	// Build ids seen before a callback was set (file mode header).
	uint8_t *pending_buildids;
	size_t pending_len;
};

// perf-header.c: the input window (fill: make n bytes available at
// buf[lo], returns how many are; drop: consume; seek: move forward, or
// anywhere in a mapped or seekable file), events, ids and features.
size_t pd_perf_in_fill(struct input *in, size_t n);
void pd_perf_in_drop(struct input *in, size_t n);
bool pd_perf_in_seek(struct input *in, uint64_t off);
int pd_perf_id_lookup(const struct pd_perf *r, uint64_t id);
enum pd_status pd_perf_add_event(struct pd_perf *r, const uint8_t *a,
	size_t attr_len, uint64_t off);
void pd_perf_add_ids(struct pd_perf *r, size_t ev, const uint8_t *p, size_t n);
void pd_perf_set_event_name(struct pd_perf *r, size_t ev, const char *s,
	size_t maxlen);
void pd_perf_emit_buildid(struct pd_perf *r, const uint8_t *p, size_t n);
enum pd_status pd_perf_feature(struct pd_perf *r, unsigned bit,
	const uint8_t *p, size_t len, uint64_t off);
enum pd_status pd_perf_read_features(struct pd_perf *r);

// perf-records.c: drops a reference to a queue block, freeing it when unused.
void pd_perf_unref_block(struct pd_perf *r, struct qblock *b);

#endif
