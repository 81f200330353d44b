// SPDX-License-Identifier: MIT
// perf.data reader: header, attrs, features, record stream, zstd, ordering.
// Format facts: tools/perf/Documentation/perf.data-file-format.txt and
// include/uapi/linux/perf_event.h; ordering follows perf's ordered-events.c.
#include "perf.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "util.h"

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

void pd_perf_error(const struct pd_perf *r, uint64_t offset, const char *fmt,
		...) {
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx("%s@0x%llx: %s", r->name, (unsigned long long)offset, msg);
}

const char *pd_perf_name(const struct pd_perf *r) {
	return r->name;
}

// ---- input: a forward-only window over the file or stream ----

// Makes at least n bytes available at buf[lo]; returns how many are.
static size_t in_fill(struct input *in, size_t n) {
	if (in->hi - in->lo >= n || in->eof || in->map) {
		return in->hi - in->lo;
	}
	if (in->lo > 0) {
		memmove(in->buf, in->buf + in->lo, in->hi - in->lo);
		in->hi -= in->lo;
		in->lo = 0;
	}
	size_t want = n > BUF_MIN ? n : BUF_MIN;
	pd_xgrow(&in->buf, &in->cap, want, 1);
	while (in->hi < n) {
		ssize_t k = read(in->fd, in->buf + in->hi, in->cap - in->hi);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			in->eof = true; // read errors end the input like EOF
			break;
		}
		in->hi += (size_t)k;
	}
	return in->hi - in->lo;
}

static void in_drop(struct input *in, size_t n) {
	in->lo += n;
	in->pos += n;
}

// Moves forward to offset off (skipping bytes); false if it lies behind us
// on a stream or beyond the end.
static bool in_seek(struct input *in, uint64_t off) {
	if (in->map) {
		if (off > in->hi) {
			return false;
		}
		in->lo = (size_t)off;
		in->pos = off;
		return true;
	}
	if (off >= in->pos && off <= in->pos + (in->hi - in->lo)) {
		in_drop(in, (size_t)(off - in->pos));
		return true;
	}
	if (in->seekable) {
		if (lseek(in->fd, (off_t)off, SEEK_SET) == (off_t)-1) {
			return false;
		}
		in->lo = in->hi = 0;
		in->pos = off;
		in->eof = false;
		return true;
	}
	if (off < in->pos) {
		return false;
	}
	while (in->pos < off) {
		size_t have = in_fill(in, 1);
		if (have == 0) {
			return false;
		}
		uint64_t step = off - in->pos < have ? off - in->pos : have;
		in_drop(in, (size_t)step);
	}
	return true;
}

// Reads [off, off + len) into a new buffer; NULL if unavailable.
static uint8_t *in_read_range(struct input *in, uint64_t off, uint64_t len) {
	if (in->size && (off > in->size || len > in->size - off)) {
		return NULL;
	}
	if (!in_seek(in, off) || in_fill(in, (size_t)len) < len) {
		return NULL;
	}
	uint8_t *p = pd_xmalloc((size_t)len);
	memcpy(p, in->buf + in->lo, (size_t)len);
	in_drop(in, (size_t)len);
	return p;
}

// ---- events and ids ----

static void id_insert(struct pd_perf *r, uint64_t id, size_t ev) {
	if ((r->nids + 1) * 2 > r->id_slots) {
		size_t old = r->id_slots;
		uint64_t *keys = r->id_keys;
		uint32_t *vals = r->id_vals;
		r->id_slots = old ? old * 2 : 64;
		r->id_keys = pd_xcalloc(r->id_slots, sizeof(*r->id_keys));
		r->id_vals = pd_xcalloc(r->id_slots, sizeof(*r->id_vals));
		r->nids = 0;
		for (size_t i = 0; i < old; i++) {
			if (vals[i]) {
				id_insert(r, keys[i], vals[i] - 1);
			}
		}
		free(keys);
		free(vals);
	}
	size_t j = pd_hash_u64(id) & (r->id_slots - 1);
	while (r->id_vals[j] && r->id_keys[j] != id) {
		j = (j + 1) & (r->id_slots - 1);
	}
	if (!r->id_vals[j]) {
		r->nids++;
	}
	r->id_keys[j] = id;
	r->id_vals[j] = (uint32_t)ev + 1;
}

static int id_lookup(const struct pd_perf *r, uint64_t id) {
	if (!r->id_slots) {
		return -1;
	}
	size_t j = pd_hash_u64(id) & (r->id_slots - 1);
	while (r->id_vals[j]) {
		if (r->id_keys[j] == id) {
			return (int)r->id_vals[j] - 1;
		}
		j = (j + 1) & (r->id_slots - 1);
	}
	return -1;
}

static const char *const hw_names[] = {"cycles", "instructions",
	"cache-references", "cache-misses", "branches", "branch-misses",
	"bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend",
	"ref-cycles"};
static const char *const sw_names[] = {"cpu-clock", "task-clock",
	"page-faults", "context-switches", "cpu-migrations", "minor-faults",
	"major-faults", "alignment-faults", "emulation-faults", "dummy",
	"bpf-output", "cgroup-switches"};

static char *default_name(uint32_t type, uint64_t config) {
	char buf[64];
	if (type == 0 && config < sizeof(hw_names) / sizeof(*hw_names)) {
		return pd_xstrdup(hw_names[config]);
	}
	if (type == 1 && config < sizeof(sw_names) / sizeof(*sw_names)) {
		return pd_xstrdup(sw_names[config]);
	}
	snprintf(buf, sizeof(buf), "type%u:0x%llx", type,
		(unsigned long long)config);
	return pd_xstrdup(buf);
}

// Adds an event from a perf_event_attr of attr_len readable bytes.
static enum pd_status add_event(struct pd_perf *r, const uint8_t *a,
		size_t attr_len, uint64_t off) {
	uint32_t size = pd_get_u32(a + 4);
	if (size == 0) {
		size = 64;
	}
	if (attr_len < 64 || size < 64 || size > attr_len) {
		pd_perf_error(r, off, "event attribute of %u bytes is too short "
			"or does not fit its record", size);
		return PD_EDATA;
	}
	if (r->nevents >= 1u << 16) {
		pd_perf_error(r, off, "too many events");
		return PD_EDATA;
	}
	pd_xgrow(&r->events, &r->events_cap, r->nevents + 1, sizeof(*r->events));
	struct pd_event *e = &r->events[r->nevents++];
	*e = (struct pd_event){
		.type = pd_get_u32(a),
		.config = pd_get_u64(a + 8),
		.sample_period = pd_get_u64(a + 16),
		.sample_type = pd_get_u64(a + 24),
		.read_format = pd_get_u64(a + 32),
		.flags = pd_get_u64(a + 40),
	};
	if (size >= 80) {
		e->branch_sample_type = pd_get_u64(a + 72);
	}
	if (size >= 96) {
		e->sample_regs_user = pd_get_u64(a + 80);
		e->sample_stack_user = pd_get_u32(a + 88);
	}
	if (size >= 104) {
		e->sample_regs_intr = pd_get_u64(a + 96);
	}
	e->name = default_name(e->type, e->config);
	if (e->sample_type & PD_SAMPLE_READ) {
		pd_perf_error(r, off, "samples with PERF_SAMPLE_READ are not "
			"supported");
		return PD_EDATA;
	}
	r->ordered = r->events[0].flags & PD_ATTR_SAMPLE_ID_ALL;
	return PD_OK;
}

static void add_ids(struct pd_perf *r, size_t ev, const uint8_t *p, size_t n) {
	struct pd_event *e = &r->events[ev];
	e->ids = pd_xrealloc(e->ids, (e->nids + n) * sizeof(*e->ids));
	for (size_t i = 0; i < n; i++) {
		uint64_t id = pd_get_u64(p + 8 * i);
		e->ids[e->nids++] = id;
		id_insert(r, id, ev);
	}
}

size_t pd_perf_nevents(const struct pd_perf *r) {
	return r->nevents;
}

struct pd_event *pd_perf_event(struct pd_perf *r, size_t i) {
	return &r->events[i];
}

static void set_event_name(struct pd_perf *r, size_t ev, const char *s,
		size_t maxlen) {
	size_t n = strnlen(s, maxlen);
	if (n == 0 || ev >= r->nevents) {
		return;
	}
	free(r->events[ev].name);
	r->events[ev].name = pd_xstrndup(s, n);
}

// ---- features ----

// A header string: u32 length, then that many bytes (NUL-padded).
static bool get_string(const uint8_t *p, size_t len, size_t *pos,
		const char **s, size_t *slen) {
	if (len - *pos < 4) {
		return false;
	}
	uint32_t n = pd_get_u32(p + *pos);
	if (n > len - *pos - 4) {
		return false;
	}
	*s = (const char *)p + *pos + 4;
	*slen = strnlen(*s, n);
	*pos += 4 + (size_t)n;
	return true;
}

static void emit_buildid(struct pd_perf *r, const uint8_t *p, size_t n) {
	if (n < 36) {
		return;
	}
	uint16_t misc = pd_get_u16(p + 4);
	size_t idlen = 20;
	if (misc & (1u << 15)) {
		idlen = p[32] <= 20 ? p[32] : 20;
	}
	char *file = pd_xstrndup((const char *)p + 36, n - 36);
	r->buildid_fn(r->buildid_arg, misc & PD_MISC_CPUMODE_MASK,
		(int32_t)pd_get_u32(p + 8), p + 12, idlen, file);
	free(file);
}

static enum pd_status feature_buildid(struct pd_perf *r, const uint8_t *p,
		size_t len, uint64_t off) {
	for (size_t pos = 0; pos + 8 <= len;) {
		uint16_t n = pd_get_u16(p + pos + 6);
		if (n < 8 || n > len - pos) {
			pd_perf_error(r, off + pos, "bad build-id entry size %u", n);
			return PD_EDATA;
		}
		if (r->buildid_fn) {
			emit_buildid(r, p + pos, n);
		} else {
			r->pending_buildids = pd_xrealloc(r->pending_buildids,
				r->pending_len + n);
			memcpy(r->pending_buildids + r->pending_len, p + pos, n);
			r->pending_len += n;
		}
		pos += n;
	}
	return PD_OK;
}

static enum pd_status feature_event_desc(struct pd_perf *r, const uint8_t *p,
		size_t len, uint64_t off) {
	if (len < 8) {
		return PD_OK;
	}
	uint32_t nr = pd_get_u32(p), asz = pd_get_u32(p + 4);
	size_t pos = 8;
	for (uint32_t i = 0; i < nr; i++) {
		const char *s;
		size_t slen;
		if (len - pos < (size_t)asz + 4) {
			break;
		}
		pos += asz;
		uint32_t nids = pd_get_u32(p + pos);
		pos += 4;
		if (!get_string(p, len, &pos, &s, &slen)) {
			break;
		}
		set_event_name(r, i, s, slen);
		if (nids > (len - pos) / 8) {
			break;
		}
		pos += (size_t)nids * 8;
	}
	(void)off;
	return PD_OK;
}

static enum pd_status feature(struct pd_perf *r, unsigned bit,
		const uint8_t *p, size_t len, uint64_t off) {
	const char *s;
	size_t slen, pos = 0;
	switch (bit) {
	case FEAT_BUILD_ID:
		return feature_buildid(r, p, len, off);
	case FEAT_OSRELEASE:
	case FEAT_ARCH:
		if (get_string(p, len, &pos, &s, &slen)) {
			char **dst = bit == FEAT_ARCH ? &r->arch : &r->osrelease;
			free(*dst);
			*dst = pd_xstrndup(s, slen);
		}
		return PD_OK;
	case FEAT_EVENT_DESC:
		return feature_event_desc(r, p, len, off);
	default:
		return PD_OK;
	}
}

static enum pd_status read_features(struct pd_perf *r) {
	unsigned nfeat = 0;
	for (int i = 0; i < 4; i++) {
		nfeat += (unsigned)__builtin_popcountll(r->feat_bits[i]);
	}
	if (nfeat == 0) {
		return PD_OK;
	}
	uint64_t idx_off = r->data_end;
	uint8_t *idx = in_read_range(&r->in, idx_off, (uint64_t)nfeat * 16);
	if (!idx) {
		pd_perf_error(r, idx_off, "feature section table runs past the "
			"end of the file");
		return PD_EDATA;
	}
	enum pd_status st = PD_OK;
	unsigned k = 0;
	uint64_t last_end = 0;
	for (unsigned bit = 0; bit < 256 && st == PD_OK; bit++) {
		if (!(r->feat_bits[bit / 64] >> (bit % 64) & 1)) {
			continue;
		}
		uint64_t off = pd_get_u64(idx + 16 * k);
		uint64_t len = pd_get_u64(idx + 16 * k + 8);
		k++;
		// A feature cut short means a truncated file, even if unread.
		if (len > UINT64_MAX - off || (r->in.size
				&& off + len > r->in.size)) {
			pd_perf_error(r, idx_off + 16 * (k - 1), "feature %u "
				"section runs past the end of the file", bit);
			st = PD_EDATA;
			break;
		}
		if (off + len > last_end) {
			last_end = off + len;
		}
		if (bit != FEAT_BUILD_ID && bit != FEAT_OSRELEASE
				&& bit != FEAT_ARCH && bit != FEAT_EVENT_DESC) {
			continue;
		}
		if (len > MAX_FEATURE) {
			pd_perf_error(r, idx_off + 16 * (k - 1), "feature %u "
				"section is implausibly large", bit);
			st = PD_EDATA;
			break;
		}
		uint8_t *p = in_read_range(&r->in, off, len);
		if (!p) {
			pd_perf_error(r, idx_off + 16 * (k - 1), "feature %u "
				"section runs past the end of the file", bit);
			st = PD_EDATA;
			break;
		}
		st = feature(r, bit, p, (size_t)len, off);
		free(p);
	}
	free(idx);
	// On a stream, make sure the last section is really there.
	if (st == PD_OK && !r->in.seekable && last_end
			&& (!in_seek(&r->in, last_end - 1) || in_fill(&r->in, 1) < 1)) {
		pd_perf_error(r, last_end, "feature sections run past the end "
			"of the file");
		st = PD_EDATA;
	}
	return st;
}

// ---- opening ----

static enum pd_status open_file_mode(struct pd_perf *r, const uint8_t *h) {
	uint64_t attr_size = pd_get_u64(h + 16);
	uint64_t attrs_off = pd_get_u64(h + 24);
	uint64_t attrs_len = pd_get_u64(h + 32);
	r->data_off = pd_get_u64(h + 40);
	uint64_t data_len = pd_get_u64(h + 48);
	for (int i = 0; i < 4; i++) {
		r->feat_bits[i] = pd_get_u64(h + 72 + 8 * i);
	}
	if (attr_size < 64 + 16 || attr_size > 4096) {
		pd_perf_error(r, 16, "bad attribute entry size %llu",
			(unsigned long long)attr_size);
		return PD_EDATA;
	}
	if (attrs_len == 0 || attrs_len % attr_size != 0) {
		pd_perf_error(r, 32, "bad attribute section size %llu",
			(unsigned long long)attrs_len);
		return PD_EDATA;
	}
	if (r->data_off < FILE_HEADER_SIZE) {
		pd_perf_error(r, 40, "bad data section offset 0x%llx",
			(unsigned long long)r->data_off);
		return PD_EDATA;
	}
	if (r->in.size && r->data_off > r->in.size) {
		pd_perf_error(r, 40, "data section starts past the end of the "
			"file (0x%llx)", (unsigned long long)r->data_off);
		return PD_EDATA;
	}
	if (data_len == 0) {
		// An interrupted recording: data runs to the end, no features.
		r->data_end = UINT64_MAX;
		memset(r->feat_bits, 0, sizeof(r->feat_bits));
	} else if (data_len > UINT64_MAX - r->data_off) {
		pd_perf_error(r, 48, "bad data section size");
		return PD_EDATA;
	} else {
		r->data_end = r->data_off + data_len;
	}
	// Everything between the header and the data (attrs, id arrays) is
	// read in one piece; attrs elsewhere need a seekable file.
	uint64_t pre_len = r->data_off - FILE_HEADER_SIZE;
	if (pre_len > MAX_PREAMBLE) {
		pd_perf_error(r, 40, "attribute area is implausibly large");
		return PD_EDATA;
	}
	uint8_t *pre = in_read_range(&r->in, FILE_HEADER_SIZE, pre_len);
	if (!pre) {
		pd_perf_error(r, FILE_HEADER_SIZE, "file ends before its data "
			"section");
		return PD_EDATA;
	}
	enum pd_status st = PD_OK;
	uint64_t nattr = attrs_len / attr_size;
	for (uint64_t i = 0; i < nattr && st == PD_OK; i++) {
		uint64_t off = attrs_off + i * attr_size;
		if (off < FILE_HEADER_SIZE || off - FILE_HEADER_SIZE > pre_len
				|| attr_size > pre_len - (off - FILE_HEADER_SIZE)) {
			pd_perf_error(r, 24, "attribute section outside the area "
				"before the data section is not supported");
			st = PD_EDATA;
			break;
		}
		const uint8_t *a = pre + (off - FILE_HEADER_SIZE);
		st = add_event(r, a, (size_t)attr_size - 16, off);
		if (st != PD_OK) {
			break;
		}
		uint64_t ids_off = pd_get_u64(a + attr_size - 16);
		uint64_t ids_len = pd_get_u64(a + attr_size - 8);
		if (ids_len == 0) {
			continue;
		}
		if (ids_off < FILE_HEADER_SIZE || ids_len % 8
				|| ids_off - FILE_HEADER_SIZE > pre_len
				|| ids_len > pre_len - (ids_off - FILE_HEADER_SIZE)) {
			pd_perf_error(r, off + attr_size - 16, "bad event id "
				"section");
			st = PD_EDATA;
			break;
		}
		add_ids(r, r->nevents - 1, pre + (ids_off - FILE_HEADER_SIZE),
			(size_t)(ids_len / 8));
	}
	free(pre);
	if (st != PD_OK) {
		return st;
	}
	if (r->in.seekable) {
		// Read features first when the whole file is there; a file cut
		// short inside its data section has none to read.
		if (r->data_end != UINT64_MAX && r->in.size
				&& r->data_end <= r->in.size) {
			st = read_features(r);
		}
		if (st == PD_OK && !in_seek(&r->in, r->data_off)) {
			pd_perf_error(r, 40, "cannot seek to the data section");
			st = PD_EDATA;
		}
	} else {
		r->read_features_after = r->data_end != UINT64_MAX;
		if (!in_seek(&r->in, r->data_off)) {
			pd_perf_error(r, 40, "file ends before its data section");
			st = PD_EDATA;
		}
	}
	return st;
}

enum pd_status pd_perf_open(struct pd_perf **out, const char *path) {
	*out = NULL;
	bool is_stdin = !path || strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn("%s", path);
		return PD_ENOINPUT;
	}
	struct pd_perf *r = pd_xcalloc(1, sizeof(*r));
	r->name = is_stdin ? "<stdin>" : path;
	r->in.fd = fd;
	r->data_end = UINT64_MAX;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		r->in.size = (uint64_t)sb.st_size;
		r->in.seekable = lseek(fd, 0, SEEK_CUR) == 0;
		if (!r->in.seekable) {
			r->in.size = 0;
		} else if (r->in.size && r->in.size <= SIZE_MAX) {
			// Mapped, records are used in place: no copies.
			void *m = mmap(NULL, (size_t)r->in.size, PROT_READ, MAP_PRIVATE,
				fd, 0);
			if (m != MAP_FAILED) {
				madvise(m, (size_t)r->in.size, MADV_SEQUENTIAL);
				r->in.map = r->in.buf = m;
				r->in.hi = (size_t)r->in.size;
			}
		}
	}
	enum pd_status st = PD_EDATA;
	size_t have = in_fill(&r->in, FILE_HEADER_SIZE);
	const uint8_t *h = r->in.buf + r->in.lo;
	uint64_t magic = have >= 8 ? pd_get_u64(h) : 0;
	if (have < 8) {
		pd_perf_error(r, 0, have ? "file is too short to be perf.data"
			: "empty input");
	} else if (magic == __builtin_bswap64(MAGIC2)) {
		pd_perf_error(r, 0, "perf.data from an opposite-endian machine "
			"is not supported");
	} else if (magic == MAGIC1) {
		pd_perf_error(r, 0, "perf.data version 1 (PERFFILE) is not "
			"supported");
	} else if (magic != MAGIC2) {
		pd_perf_error(r, 0, "not a perf.data file (bad magic)");
	} else if (have < 16) {
		pd_perf_error(r, 8, "file ends inside its header");
	} else if (pd_get_u64(h + 8) == PIPE_HEADER_SIZE) {
		r->pipe = true;
		r->ordered = true;
		in_drop(&r->in, PIPE_HEADER_SIZE);
		st = PD_OK;
	} else if (pd_get_u64(h + 8) != FILE_HEADER_SIZE) {
		pd_perf_error(r, 8, "unsupported header size %llu",
			(unsigned long long)pd_get_u64(h + 8));
	} else if (have < FILE_HEADER_SIZE) {
		pd_perf_error(r, have, "file ends inside its header");
	} else {
		uint8_t hdr[FILE_HEADER_SIZE];
		memcpy(hdr, h, sizeof(hdr));
		in_drop(&r->in, FILE_HEADER_SIZE);
		st = open_file_mode(r, hdr);
	}
	if (st != PD_OK) {
		pd_perf_close(r);
		return st;
	}
	*out = r;
	return PD_OK;
}

static void unref_block(struct pd_perf *r, struct qblock *b);

void pd_perf_close(struct pd_perf *r) {
	if (!r) {
		return;
	}
	if (r->in.fd != STDIN_FILENO) {
		close(r->in.fd);
	}
	if (r->in.map) {
		munmap(r->in.map, r->in.hi);
	} else {
		free(r->in.buf);
	}
	for (size_t i = 0; i < r->nevents; i++) {
		free(r->events[i].name);
		free(r->events[i].ids);
	}
	free(r->events);
	free(r->id_keys);
	free(r->id_vals);
	ZSTD_freeDStream(r->zs);
	free(r->zbuf);
	for (size_t i = r->next; i < r->qn; i++) {
		unref_block(r, r->q[i].block);
	}
	unref_block(r, r->cur);
	free(r->fill);
	free(r->q);
	free(r->qtmp);
	free(r->osrelease);
	free(r->arch);
	free(r->pending_buildids);
	free(r);
}

const char *pd_perf_osrelease(const struct pd_perf *r) {
	return r->osrelease;
}

const char *pd_perf_arch(const struct pd_perf *r) {
	return r->arch;
}

uint64_t pd_perf_pos(const struct pd_perf *r) {
	return r->in.pos;
}

uint64_t pd_perf_total(const struct pd_perf *r) {
	return r->in.size;
}

uint64_t pd_perf_unknown_records(const struct pd_perf *r) {
	return r->unknown;
}

void pd_perf_set_buildid_callback(struct pd_perf *r, pd_perf_buildid_fn fn,
		void *arg) {
	r->buildid_fn = fn;
	r->buildid_arg = arg;
	if (fn && r->pending_len) {
		feature_buildid(r, r->pending_buildids, r->pending_len, 0);
		free(r->pending_buildids);
		r->pending_buildids = NULL;
		r->pending_len = 0;
	}
}

// ---- sample_id: which event a record belongs to, and its time ----

// Index of the id among the sample's leading u64s (-1: none), as perf's
// __perf_evsel__calc_id_pos.
static int id_pos_sample(uint64_t t) {
	if (t & PD_SAMPLE_IDENTIFIER) {
		return 0;
	}
	if (!(t & PD_SAMPLE_ID)) {
		return -1;
	}
	int i = 0;
	i += !!(t & PD_SAMPLE_IP);
	i += !!(t & PD_SAMPLE_TID);
	i += !!(t & PD_SAMPLE_TIME);
	i += !!(t & PD_SAMPLE_ADDR);
	return i;
}

// Position of the id counted from the end of a non-sample record.
static int id_pos_trailer(uint64_t t) {
	if (t & PD_SAMPLE_IDENTIFIER) {
		return 1;
	}
	if (!(t & PD_SAMPLE_ID)) {
		return -1;
	}
	return 1 + !!(t & PD_SAMPLE_CPU) + !!(t & PD_SAMPLE_STREAM_ID);
}

static int record_event(const struct pd_perf *r, const uint8_t *p,
		uint32_t size, uint32_t type) {
	if (r->nevents == 0) {
		return -1;
	}
	if (r->nevents == 1) {
		return 0;
	}
	uint64_t t = r->events[0].sample_type;
	uint64_t id;
	if (type == PD_REC_SAMPLE) {
		int pos = id_pos_sample(t);
		if (pos < 0 || 8 + 8 * (uint32_t)pos + 8 > size) {
			return 0;
		}
		id = pd_get_u64(p + 8 + 8 * pos);
	} else {
		if (!(r->events[0].flags & PD_ATTR_SAMPLE_ID_ALL)) {
			return 0;
		}
		int pos = id_pos_trailer(t);
		if (pos < 0 || 8 + 8 * (uint32_t)pos > size) {
			return 0;
		}
		id = pd_get_u64(p + size - 8 * pos);
	}
	int ev = id_lookup(r, id);
	return ev < 0 ? 0 : ev; // id 0 (synthesized records): first event
}

// Fills pid/tid/time of a non-sample record from its sample_id trailer.
static void parse_trailer(const struct pd_perf *r, struct pd_record *rec) {
	if (rec->event < 0) {
		return;
	}
	const struct pd_event *e = &r->events[rec->event];
	if (!(e->flags & PD_ATTR_SAMPLE_ID_ALL)) {
		return;
	}
	uint64_t t = e->sample_type;
	uint32_t n = !!(t & PD_SAMPLE_TID) + !!(t & PD_SAMPLE_TIME)
		+ !!(t & PD_SAMPLE_ID) + !!(t & PD_SAMPLE_STREAM_ID)
		+ !!(t & PD_SAMPLE_CPU) + !!(t & PD_SAMPLE_IDENTIFIER);
	if (rec->size < 8 + 8 * n) {
		return;
	}
	const uint8_t *p = rec->data + rec->size - 8 * n;
	if (t & PD_SAMPLE_TID) {
		rec->pid = pd_get_u32(p);
		rec->tid = pd_get_u32(p + 4);
		p += 8;
	}
	if (t & PD_SAMPLE_TIME) {
		rec->time = pd_get_u64(p);
	}
}

static void fill_record(const struct pd_perf *r, struct pd_record *rec) {
	rec->event = record_event(r, rec->data, rec->size, rec->type);
	rec->pid = rec->tid = (uint32_t)-1;
	rec->time = 0;
	if (rec->type >= 64) {
		return;
	}
	if (rec->type != PD_REC_SAMPLE) {
		parse_trailer(r, rec);
		return;
	}
	if (rec->event < 0) {
		return;
	}
	uint64_t t = r->events[rec->event].sample_type;
	const uint8_t *p = rec->data + 8, *end = rec->data + rec->size;
	p += 8 * !!(t & PD_SAMPLE_IDENTIFIER) + 8 * !!(t & PD_SAMPLE_IP);
	if (t & PD_SAMPLE_TID) {
		if (end - p < 8) {
			return;
		}
		rec->pid = pd_get_u32(p);
		rec->tid = pd_get_u32(p + 4);
		p += 8;
	}
	if ((t & PD_SAMPLE_TIME) && end - p >= 8) {
		rec->time = pd_get_u64(p);
	}
}

// ---- sample parsing (field order of perf's evsel__parse_sample) ----

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_u64(struct cursor *c) {
	if (c->end - c->p < 8) {
		c->bad = true;
		return 0;
	}
	uint64_t v = pd_get_u64(c->p);
	c->p += 8;
	return v;
}

static const uint8_t *take_bytes(struct cursor *c, uint64_t n) {
	if ((uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

enum pd_status pd_perf_parse_sample(struct pd_perf *r,
		const struct pd_record *rec, struct pd_sample *s) {
	*s = (struct pd_sample){.event = rec->event, .misc = rec->misc};
	if (rec->event < 0) {
		pd_perf_error(r, rec->offset, "sample before any event "
			"attribute");
		return PD_EDATA;
	}
	const struct pd_event *e = &r->events[rec->event];
	uint64_t t = e->sample_type;
	struct cursor c = {rec->data + 8, rec->data + rec->size, false};
	if (t & PD_SAMPLE_IDENTIFIER) {
		s->id = take_u64(&c);
	}
	if (t & PD_SAMPLE_IP) {
		s->ip = take_u64(&c);
	}
	if (t & PD_SAMPLE_TID) {
		uint64_t v = take_u64(&c);
		memcpy(&s->pid, (uint8_t *)&v, 4);
		memcpy(&s->tid, (uint8_t *)&v + 4, 4);
	}
	if (t & PD_SAMPLE_TIME) {
		s->time = take_u64(&c);
	}
	if (t & PD_SAMPLE_ADDR) {
		s->addr = take_u64(&c);
	}
	if (t & PD_SAMPLE_ID) {
		s->id = take_u64(&c);
	}
	if (t & PD_SAMPLE_STREAM_ID) {
		take_u64(&c);
	}
	if (t & PD_SAMPLE_CPU) {
		s->cpu = (uint32_t)take_u64(&c);
	}
	s->period = e->sample_period;
	if (t & PD_SAMPLE_PERIOD) {
		s->period = take_u64(&c);
	} else if (e->flags & PD_ATTR_FREQ) {
		s->period = 1;
	}
	if (t & PD_SAMPLE_CALLCHAIN) {
		s->nr = take_u64(&c);
		if (s->nr > (uint64_t)(c.end - c.p) / 8) {
			pd_perf_error(r, rec->offset, "callchain of %llu entries "
				"runs past the end of its record",
				(unsigned long long)s->nr);
			return PD_EDATA;
		}
		s->ips = take_bytes(&c, s->nr * 8);
	}
	if (t & PD_SAMPLE_RAW) {
		if (c.end - c.p < 4) {
			c.bad = true;
		} else {
			s->raw_size = pd_get_u32(c.p);
			c.p += 4;
			s->raw = take_bytes(&c, s->raw_size);
		}
	}
	if (t & PD_SAMPLE_BRANCH_STACK) {
		uint64_t nr = take_u64(&c);
		if (e->branch_sample_type & (1u << 17)) {
			take_u64(&c); // hw_idx
		}
		if (nr > (uint64_t)(c.end - c.p) / 24) {
			c.bad = true;
		} else {
			take_bytes(&c, nr * 24);
		}
	}
	if (t & PD_SAMPLE_REGS_USER) {
		s->regs_abi = take_u64(&c);
		if (s->regs_abi) {
			s->regs_mask = e->sample_regs_user;
			s->regs = take_bytes(&c,
				8 * (uint64_t)__builtin_popcountll(s->regs_mask));
		}
	}
	if (t & PD_SAMPLE_STACK_USER) {
		s->stack_size = take_u64(&c);
		if (s->stack_size) {
			s->stack = take_bytes(&c, s->stack_size);
			s->stack_dyn = take_u64(&c);
			if (s->stack_dyn > s->stack_size) {
				s->stack_dyn = s->stack_size;
			}
		}
	}
	if (c.bad) {
		pd_perf_error(r, rec->offset, "sample fields run past the end "
			"of the record");
		s->stack = NULL;
		s->stack_size = s->stack_dyn = 0;
		s->regs = NULL;
		s->regs_abi = 0;
		return PD_EDATA;
	}
	return PD_OK;
}

// ---- raw record stream ----

static enum pd_status decompress(struct pd_perf *r, const uint8_t *p,
		size_t n, uint64_t off) {
	if (!r->zs) {
		r->zs = ZSTD_createDStream();
		if (!r->zs) {
			errx(PD_ENOMEM, "out of memory");
		}
		ZSTD_initDStream(r->zs);
	}
	if (r->zlo > 0) {
		memmove(r->zbuf, r->zbuf + r->zlo, r->zhi - r->zlo);
		r->zhi -= r->zlo;
		r->zlo = 0;
	}
	ZSTD_inBuffer zin = {p, n, 0};
	// Until the input is used up and zstd has no output left to give
	// (a full output buffer may hide more).
	for (bool full = true; zin.pos < zin.size || full;) {
		pd_xgrow(&r->zbuf, &r->zcap, r->zhi + ZSTD_DStreamOutSize(), 1);
		ZSTD_outBuffer zout = {r->zbuf, r->zcap, r->zhi};
		size_t ret = ZSTD_decompressStream(r->zs, &zout, &zin);
		if (ZSTD_isError(ret)) {
			pd_perf_error(r, off, "zstd: %s", ZSTD_getErrorName(ret));
			return PD_EDATA;
		}
		full = zout.pos == zout.size;
		r->zhi = zout.pos;
		if (r->zhi - r->zlo > (256u << 20)) {
			pd_perf_error(r, off, "compressed record expands to an "
				"implausible size");
			return PD_EDATA;
		}
	}
	r->zoff = off;
	return PD_OK;
}

// Next record out of the decompressed bytes, if a whole one is there.
static bool next_decompressed(struct pd_perf *r, struct pd_record *rec) {
	size_t avail = r->zhi - r->zlo;
	if (avail < 8) {
		return false;
	}
	const uint8_t *p = r->zbuf + r->zlo;
	uint16_t size = pd_get_u16(p + 6);
	if (size < 8) {
		// Corrupt: poison the rest so the caller reports it.
		*rec = (struct pd_record){.size = size, .data = p,
			.offset = r->zoff, .compressed = true};
		return true;
	}
	if (size > avail) {
		return false;
	}
	*rec = (struct pd_record){
		.type = pd_get_u32(p),
		.misc = pd_get_u16(p + 4),
		.size = size,
		.data = p,
		.offset = r->zoff,
		.compressed = true,
	};
	r->zlo += size;
	return true;
}

static enum pd_status pipe_record(struct pd_perf *r, const uint8_t *p,
		uint32_t size, uint64_t off) {
	uint32_t type = pd_get_u32(p);
	switch (type) {
	case PD_REC_HEADER_ATTR: {
		if (size < 8 + 64) {
			pd_perf_error(r, off, "attribute record too short");
			return PD_EDATA;
		}
		uint32_t asz = pd_get_u32(p + 12);
		asz = asz ? asz : 64;
		enum pd_status st = add_event(r, p + 8, size - 8, off);
		if (st == PD_OK) {
			add_ids(r, r->nevents - 1, p + 8 + asz,
				(size - 8 - asz) / 8);
		}
		return st;
	}
	case PD_REC_HEADER_FEATURE:
		if (size < 16) {
			pd_perf_error(r, off, "feature record too short");
			return PD_EDATA;
		}
		if (size == 16) {
			return PD_OK; // end-of-features marker
		}
		return feature(r, (unsigned)pd_get_u64(p + 8), p + 16, size - 16,
			off + 16);
	case PD_REC_HEADER_BUILD_ID:
		if (r->buildid_fn) {
			emit_buildid(r, p, size);
		}
		return PD_OK;
	case PD_REC_EVENT_UPDATE:
		if (size > 24 && pd_get_u64(p + 8) == 2) {
			int ev = id_lookup(r, pd_get_u64(p + 16));
			if (ev >= 0) {
				set_event_name(r, (size_t)ev, (const char *)p + 24,
					size - 24);
			}
		}
		return PD_OK;
	default:
		return PD_OK;
	}
}

// Reads the next record that is not consumed here. Sets *rec to a record
// inside the input or decompression buffer (valid until the next read).
static enum pd_status read_raw(struct pd_perf *r, struct pd_record *rec) {
	for (;;) {
		if (next_decompressed(r, rec)) {
			if (rec->size < 8) {
				pd_perf_error(r, r->zoff, "record in compressed data "
					"has bad size %u", rec->size);
				return PD_EDATA;
			}
			return PD_OK;
		}
		if (r->in.pos >= r->data_end) {
			return PD_FOUND;
		}
		size_t have = in_fill(&r->in, 8);
		uint64_t off = r->in.pos;
		if (have == 0 && r->data_end == UINT64_MAX) {
			if (r->zhi > r->zlo) {
				pd_perf_error(r, r->zoff, "compressed data ends "
					"inside a record");
				return PD_EDATA;
			}
			// perf ends every stream with FINISHED_ROUND; a stream
			// without one was cut short (or perf was killed).
			if (r->last_type != PD_REC_FINISHED_ROUND) {
				pd_perf_error(r, off, "data ends without a final "
					"FINISHED_ROUND record: truncated?");
				return PD_EDATA;
			}
			return PD_FOUND;
		}
		if (have < 8) {
			pd_perf_error(r, off, "file ends inside a record header");
			return PD_EDATA;
		}
		const uint8_t *p = r->in.buf + r->in.lo;
		uint32_t type = pd_get_u32(p);
		uint32_t size = pd_get_u16(p + 6);
		if (size < 8) {
			pd_perf_error(r, off, "record of type %u has bad size %u",
				type, size);
			return PD_EDATA;
		}
		if (r->data_end - off < size) {
			pd_perf_error(r, off, "record runs past the end of the "
				"data section");
			return PD_EDATA;
		}
		if (in_fill(&r->in, size) < size) {
			pd_perf_error(r, off, "record runs past the end of the "
				"file");
			return PD_EDATA;
		}
		p = r->in.buf + r->in.lo;
		r->last_type = type;
		// Payloads that follow outside header.size.
		uint64_t extra = 0;
		if (type == PD_REC_HEADER_TRACING_DATA && size >= 12) {
			extra = pd_get_u32(p + 8);
		} else if (type == PD_REC_AUXTRACE && size >= 16) {
			extra = pd_get_u64(p + 8);
		}
		enum pd_status st = PD_OK;
		bool consumed = true;
		switch (type) {
		case PD_REC_COMPRESSED:
			st = decompress(r, p + 8, size - 8, off);
			break;
		case PD_REC_COMPRESSED2: {
			uint64_t n = size >= 16 ? pd_get_u64(p + 8) : UINT64_MAX;
			if (n > size - 16) {
				pd_perf_error(r, off, "compressed record's data size "
					"does not fit the record");
				return PD_EDATA;
			}
			st = decompress(r, p + 16, (size_t)n, off);
			break;
		}
		case PD_REC_HEADER_ATTR:
		case PD_REC_HEADER_EVENT_TYPE:
		case PD_REC_HEADER_TRACING_DATA:
		case PD_REC_HEADER_BUILD_ID:
		case PD_REC_EVENT_UPDATE:
		case PD_REC_HEADER_FEATURE:
		case PD_REC_AUXTRACE:
			st = pipe_record(r, p, size, off);
			break;
		default:
			consumed = false;
		}
		if (st != PD_OK) {
			return st;
		}
		if (!consumed) {
			*rec = (struct pd_record){
				.type = type,
				.misc = pd_get_u16(p + 4),
				.size = size,
				.data = p,
				.offset = off,
			};
			in_drop(&r->in, size);
			return PD_OK;
		}
		in_drop(&r->in, size);
		if (extra && !in_seek(&r->in, r->in.pos + extra)) {
			pd_perf_error(r, off, "record payload runs past the end "
				"of the file");
			return PD_EDATA;
		}
	}
}

// ---- ordering ----

static void unref_block(struct pd_perf *r, struct qblock *b) {
	if (b && --b->refs == 0 && b != r->fill) {
		free(b);
	}
}

static inline bool qent_before(const struct qent *x, const struct qent *y) {
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

// Sorts the queue by (time, seq). Rounds hold one time-ordered run per CPU
// buffer, so a natural merge sort (merging the runs found) does little work.
static void sort_queue(struct pd_perf *r) {
	size_t n = r->qn;
	pd_xgrow(&r->qtmp, &r->qtmp_cap, n, sizeof(*r->qtmp));
	struct qent *a = r->q, *b = r->qtmp;
	for (;;) {
		size_t runs = 0;
		for (size_t lo = 0; lo < n;) {
			size_t mid = lo + 1;
			while (mid < n && !qent_before(&a[mid], &a[mid - 1])) {
				mid++;
			}
			size_t hi = mid;
			if (mid < n) {
				hi = mid + 1;
				while (hi < n && !qent_before(&a[hi], &a[hi - 1])) {
					hi++;
				}
			}
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				b[k++] = qent_before(&a[j], &a[i]) ? a[j++] : a[i++];
			}
			while (i < mid) {
				b[k++] = a[i++];
			}
			while (j < hi) {
				b[k++] = a[j++];
			}
			lo = hi;
			runs++;
		}
		struct qent *t = a;
		a = b;
		b = t;
		if (runs <= 1) {
			break;
		}
	}
	if (a != r->q) {
		memcpy(r->q, a, n * sizeof(*r->q));
	}
}

// Sorts the queue and marks entries with time <= limit ready.
// Gives back mapped pages that no queued record needs, so memory stays
// bounded on big files (a page touched again is simply read again).
static void release_map(struct pd_perf *r) {
	struct input *in = &r->in;
	if (!in->map) {
		return;
	}
	uint64_t low = in->pos;
	for (size_t i = r->next; i < r->qn; i++) {
		if (!r->q[i].block && r->q[i].offset < low) {
			low = r->q[i].offset;
		}
	}
	low &= ~(uint64_t)((1u << 21) - 1);
	if (low >= in->released + (8u << 20)) {
		madvise(in->map + in->released, (size_t)(low - in->released),
			MADV_DONTNEED);
		in->released = low;
	}
}

static void flush(struct pd_perf *r, uint64_t limit) {
	release_map(r);
	// Drop entries already handed out.
	if (r->qn == 0) {
		r->next = r->ready = 0;
		return;
	}
	memmove(r->q, r->q + r->next, (r->qn - r->next) * sizeof(*r->q));
	r->qn -= r->next;
	r->next = 0;
	sort_queue(r);
	size_t n = 0;
	while (n < r->qn && r->q[n].time <= limit) {
		n++;
	}
	r->ready = n;
}

static void enqueue(struct pd_perf *r, const struct pd_record *rec) {
	pd_xgrow(&r->q, &r->qcap, r->qn + 1, sizeof(*r->q));
	if (r->in.map && !rec->compressed) {
		r->q[r->qn++] = (struct qent){
			.time = rec->time,
			.seq = r->seq++,
			.offset = rec->offset,
			.data = (uint8_t *)rec->data,
		};
		r->qbytes += rec->size;
		if (rec->time > r->max_time) {
			r->max_time = rec->time;
		}
		return;
	}
	struct qblock *b = r->fill;
	if (!b || b->cap - b->used < rec->size) {
		if (b && b->refs == 0) {
			b->used = 0; // nothing points into it any more: reuse
		} else {
			r->fill = b = pd_xmalloc(sizeof(*b) + QBLOCK);
			b->used = b->refs = 0;
			b->cap = QBLOCK;
		}
	}
	uint8_t *copy = b->data + b->used;
	b->used += (rec->size + 7u) & ~(size_t)7;
	b->refs++;
	memcpy(copy, rec->data, rec->size);
	r->q[r->qn++] = (struct qent){
		.time = rec->time,
		.seq = r->seq++,
		.offset = rec->offset,
		.compressed = rec->compressed,
		.block = b,
		.data = copy,
	};
	r->qbytes += rec->size;
	if (rec->time > r->max_time) {
		r->max_time = rec->time;
	}
}

static void deliver(struct pd_perf *r, struct pd_record *rec) {
	struct qent *e = &r->q[r->next++];
	unref_block(r, r->cur);
	r->cur = e->block;
	r->qbytes -= pd_get_u16(e->data + 6);
	*rec = (struct pd_record){
		.type = pd_get_u32(e->data),
		.misc = pd_get_u16(e->data + 4),
		.size = pd_get_u16(e->data + 6),
		.data = e->data,
		.offset = e->offset,
		.compressed = e->compressed,
	};
	fill_record(r, rec);
}

static enum pd_status finish_reading(struct pd_perf *r) {
	r->done_reading = true;
	if (r->read_features_after && r->err == PD_OK) {
		r->err = read_features(r);
	}
	flush(r, UINT64_MAX);
	return r->err;
}

enum pd_status pd_perf_next(struct pd_perf *r, struct pd_record *rec) {
	for (;;) {
		if (r->next < r->ready) {
			deliver(r, rec);
			return PD_OK;
		}
		if (r->done_reading) {
			return r->err != PD_OK ? r->err : PD_FOUND;
		}
		enum pd_status st = read_raw(r, rec);
		if (st != PD_OK) {
			if (st != PD_FOUND) {
				r->err = st;
			}
			finish_reading(r);
			continue;
		}
		if (rec->type == PD_REC_FINISHED_ROUND) {
			flush(r, r->next_flush);
			r->next_flush = r->max_time;
			continue;
		}
		if (rec->type >= 64 && rec->type != PD_REC_FINISHED_INIT) {
			if (rec->type > PD_REC_COMPRESSED2) {
				r->unknown++;
			}
			continue;
		}
		fill_record(r, rec);
		if (rec->type > 22 && rec->type < 64) {
			r->unknown++;
			continue;
		}
		if (!r->ordered || rec->time == 0 || rec->time == UINT64_MAX
				|| rec->type == PD_REC_FINISHED_INIT) {
			return PD_OK; // perf delivers these at once
		}
		enqueue(r, rec);
		if (r->qbytes > MAX_QUEUED) {
			// Memory pressure: hand out the older half, as perf does.
			flush(r, UINT64_MAX);
			r->ready = r->qn / 2;
		}
	}
}
