// SPDX-License-Identifier: MIT
// perf.data reader: a file, a pipe or a perf.data directory (perf record
// --threads), zstd records, perf's event order.
#ifndef PD_PERF_H
#define PD_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

// Record types (include/uapi/linux/perf_event.h, tools/lib/perf/.../event.h).
enum {
	PD_REC_MMAP = 1,
	PD_REC_LOST = 2,
	PD_REC_COMM = 3,
	PD_REC_EXIT = 4,
	PD_REC_FORK = 7,
	PD_REC_SAMPLE = 9,
	PD_REC_MMAP2 = 10,
	PD_REC_LOST_SAMPLES = 13,
	PD_REC_KSYMBOL = 17,
	PD_REC_HEADER_ATTR = 64,
	PD_REC_HEADER_EVENT_TYPE = 65,
	PD_REC_HEADER_TRACING_DATA = 66,
	PD_REC_HEADER_BUILD_ID = 67,
	PD_REC_FINISHED_ROUND = 68,
	PD_REC_AUXTRACE = 71,
	PD_REC_EVENT_UPDATE = 78,
	PD_REC_HEADER_FEATURE = 80,
	PD_REC_COMPRESSED = 81,
	PD_REC_FINISHED_INIT = 82,
	PD_REC_COMPRESSED2 = 83,
};

// sample_type bits.
enum {
	PD_SAMPLE_IP = 1 << 0,
	PD_SAMPLE_TID = 1 << 1,
	PD_SAMPLE_TIME = 1 << 2,
	PD_SAMPLE_ADDR = 1 << 3,
	PD_SAMPLE_READ = 1 << 4,
	PD_SAMPLE_CALLCHAIN = 1 << 5,
	PD_SAMPLE_ID = 1 << 6,
	PD_SAMPLE_CPU = 1 << 7,
	PD_SAMPLE_PERIOD = 1 << 8,
	PD_SAMPLE_STREAM_ID = 1 << 9,
	PD_SAMPLE_RAW = 1 << 10,
	PD_SAMPLE_BRANCH_STACK = 1 << 11,
	PD_SAMPLE_REGS_USER = 1 << 12,
	PD_SAMPLE_STACK_USER = 1 << 13,
	PD_SAMPLE_WEIGHT = 1 << 14,
	PD_SAMPLE_DATA_SRC = 1 << 15,
	PD_SAMPLE_IDENTIFIER = 1 << 16,
	PD_SAMPLE_TRANSACTION = 1 << 17,
	PD_SAMPLE_REGS_INTR = 1 << 18,
	PD_SAMPLE_PHYS_ADDR = 1 << 19,
	PD_SAMPLE_AUX = 1 << 20,
	PD_SAMPLE_CGROUP = 1 << 21,
	PD_SAMPLE_DATA_PAGE_SIZE = 1 << 22,
	PD_SAMPLE_CODE_PAGE_SIZE = 1 << 23,
	PD_SAMPLE_WEIGHT_STRUCT = 1 << 24,
};

// misc field.
enum {
	PD_MISC_CPUMODE_MASK = 7,
	PD_MISC_KERNEL = 1,
	PD_MISC_USER = 2,
	PD_MISC_HYPERVISOR = 3,
	PD_MISC_GUEST_KERNEL = 4,
	PD_MISC_GUEST_USER = 5,
	PD_MISC_MMAP_DATA = 1 << 13,
	PD_MISC_COMM_EXEC = 1 << 13,
	PD_MISC_FORK_EXEC = 1 << 13,
	PD_MISC_MMAP_BUILD_ID = 1 << 14,
};

// Callchain context markers.
#define PD_CONTEXT_HV ((uint64_t)-32)
#define PD_CONTEXT_KERNEL ((uint64_t)-128)
#define PD_CONTEXT_USER ((uint64_t)-512)
#define PD_CONTEXT_USER_DEFERRED ((uint64_t)-640)
#define PD_CONTEXT_GUEST ((uint64_t)-2048)
#define PD_CONTEXT_MAX ((uint64_t)-4095)

// One perf_event_attr of the file, with its name and ids.
struct pd_event {
	uint32_t type;
	uint64_t config;
	uint64_t sample_period;
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t flags; // bit field at offset 40
	uint64_t branch_sample_type;
	uint64_t sample_regs_user;
	uint32_t sample_stack_user;
	uint64_t sample_regs_intr;
	char *name;       // from EVENT_DESC / EVENT_UPDATE, or derived
	uint64_t *ids;
	size_t nids;
};

#define PD_ATTR_INHERIT (1ULL << 1)
#define PD_ATTR_FREQ (1ULL << 10)
#define PD_ATTR_SAMPLE_ID_ALL (1ULL << 18)

// A record as delivered: type, misc, payload after the 8-byte header
// (unaligned; valid until the next pd_perf_next call) and its position.
struct pd_record {
	uint32_t type;
	uint16_t misc;
	uint32_t size;       // whole record, header included
	const uint8_t *data; // the record, header included
	uint64_t offset;     // file offset of the record (or of the
	                     // compressed record it was inside)
	bool compressed;     // came out of a COMPRESSED record
	uint32_t file;       // the file offset is in: 0 the file (in a
	                     // directory: data), i > 0 the directory's
	                     // i-th data.N file in number order
	// From the sample_id trailer (or the sample), when present.
	int event;           // index into the events; -1 if unknown
	uint32_t pid, tid;
	uint64_t time;
};

// A parsed PERF_RECORD_SAMPLE. Pointers point into the record.
struct pd_sample {
	int event;
	uint16_t misc;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t addr;
	uint64_t id;
	uint32_t cpu;
	uint64_t period;
	uint64_t nr;          // callchain entries
	const uint8_t *ips;   // nr unaligned u64s
	uint32_t raw_size;
	const uint8_t *raw;
	uint64_t regs_abi;    // 0: no user registers
	uint64_t regs_mask;
	const uint8_t *regs;  // popcount(regs_mask) unaligned u64s
	uint64_t stack_size;  // bytes reserved in the record
	uint64_t stack_dyn;   // valid bytes (<= stack_size)
	const uint8_t *stack; // user stack dump from the sampled SP upward
	// PERF_SAMPLE_READ with counter ids (read not NULL): nread values of
	// read_each u64s each, the value first, its id at u64 read_id; see
	// pd_perf_read_sample.
	const uint8_t *read;
	uint32_t nread, read_each, read_id;
};

// Opaque reader.
struct pd_perf;

// Opens path ("-" or NULL = stdin, named "<stdin>" in messages): a
// perf.data file or a directory perf record --threads wrote (its data
// file, then the records of all data.N files merged in time order).
// Reports the error on stderr and returns PD_ENOINPUT or PD_EDATA on
// failure.
enum pd_status pd_perf_open(struct pd_perf **out, const char *path);
void pd_perf_close(struct pd_perf *r); // NULL is fine

// Delivers the next record in perf's event order (sorted by time within
// rounds). Returns PD_OK with *rec filled, PD_FOUND at the end of the data,
// or an error (already reported on stderr; the data read so far stays
// valid). Header records (attrs, features) are consumed internally.
enum pd_status pd_perf_next(struct pd_perf *r, struct pd_record *rec);

// Parses a SAMPLE record. Reports and returns PD_EDATA if malformed.
enum pd_status pd_perf_parse_sample(struct pd_perf *r,
	const struct pd_record *rec, struct pd_sample *s);

// A sample with counter values and their ids (s->read: PERF_SAMPLE_READ,
// leader sampling, perf record -e '{a,b}:S') stands, as in perf, for one
// sample per value and none of its own: value k (< s->nread) as a sample
// of the event with its id, whose period is the count since that
// counter's last value (the thread's last, where the event is inherited
// and samples name their thread: each thread's count comes under the
// same id). False, with *out unset, for a counter that did not move or
// an id of no event: no sample.
bool pd_perf_read_sample(struct pd_perf *r, const struct pd_sample *s,
	size_t k, struct pd_sample *out);

// Whether the recording may be incomplete though it read without error:
// *unfinished, the file's header gives its data no size (perf record
// did not finish: killed, or the file copied while it ran); or, at *off,
// the data ends without the FINISHED_ROUND record that perf record ends
// with (cut short at a record's end, or written by perf inject, which
// leaves none). Both are read to their end. Meaningful at the end.
bool pd_perf_incomplete(const struct pd_perf *r, bool *unfinished,
	uint64_t *off);

// Events seen so far (file mode: all of them after open; pipe mode: as their
// header records arrive). Names may change until the end of the data.
size_t pd_perf_nevents(const struct pd_perf *r);
struct pd_event *pd_perf_event(struct pd_perf *r, size_t i);

// Reports "name@0xOFFSET: message" on stderr, for an offset in the file
// (in a directory: in its data file).
void pd_perf_error(const struct pd_perf *r, uint64_t offset, const char *fmt,
	...) __attribute__((format(printf, 3, 4)));
// Reports "file@0xOFFSET: message" on stderr for rec, naming the file of
// a directory it came from.
void pd_perf_record_error(const struct pd_perf *r, const struct pd_record *rec,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// The path as opened ("<stdin>" for stdin), for messages about the whole.
const char *pd_perf_name(const struct pd_perf *r);

// Header facts (NULL or 0 when absent; some arrive only at the end).
const char *pd_perf_osrelease(const struct pd_perf *r);
const char *pd_perf_arch(const struct pd_perf *r);
// Input bytes consumed so far and total (0 if unknown), for progress;
// a directory's are those of all its files.
uint64_t pd_perf_pos(const struct pd_perf *r);
uint64_t pd_perf_total(const struct pd_perf *r);
// Counts of records skipped because their type is unknown.
uint64_t pd_perf_unknown_records(const struct pd_perf *r);

// Build ids recorded in the file (feature BUILD_ID or HEADER_BUILD_ID):
// calls fn for each (cpumode, pid, build id, filename).
typedef void (*pd_perf_buildid_fn)(void *arg, uint16_t cpumode, int32_t pid,
	const uint8_t *id, size_t idlen, const char *filename);
void pd_perf_set_buildid_callback(struct pd_perf *r, pd_perf_buildid_fn fn,
	void *arg);

// The recorded kernel's release (feature OSRELEASE): calls fn with it, at
// once if it is known (a file's header), else when a pipe's feature
// record brings it.
typedef void (*pd_perf_release_fn)(void *arg, const char *release);
void pd_perf_set_release_callback(struct pd_perf *r, pd_perf_release_fn fn,
	void *arg);

// The tracing data (feature TRACING_DATA, or the payload of a pipe's
// HEADER_TRACING_DATA record; starts with 0x17 0x08 0x44 "tracing"): calls
// fn with the blob (borrowed for the call), its length and its file
// offset. Tracing data read before fn is set (file mode: during open) is
// kept and handed over when it is set.
typedef void (*pd_perf_tracing_fn)(void *arg, const uint8_t *blob, size_t len,
	uint64_t offset);
void pd_perf_set_tracing_callback(struct pd_perf *r, pd_perf_tracing_fn fn,
	void *arg);

#endif
