// SPDX-License-Identifier: MIT
// perf.data header layer (see perf-header.h). Format facts:
// perf.data-file-format.txt, tools/perf/util/header.c and
// include/uapi/linux/perf_event.h.
#include "perf-header.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"

#define MAGIC2 0x32454c4946524550ULL  // "PERFILE2"
#define MAGIC1 0x454c494646524550ULL  // "PERFFILE"
#define FILE_HEADER_SIZE 104
#define PIPE_HEADER_SIZE 16
#define MAX_PREAMBLE (256u << 20)     // attrs + ids before the data section
#define MAX_FEATURE (64u << 20)
#define FEAT_TRACING_DATA 1
#define FEAT_BUILD_ID 2
#define FEAT_OSRELEASE 4
#define FEAT_ARCH 6
#define FEAT_EVENT_DESC 12
#define FEAT_DIR_FORMAT 24

// A tracing data blob waiting for its callback.
struct blob {
	uint8_t *p;
	size_t len;
	uint64_t off;
};

struct pd_header {
	struct pd_input *in;
	struct pd_events *ev;
	bool pipe;
	uint64_t data_off, data_end; // data_end UINT64_MAX: to EOF
	bool unfinished;             // the data section's size is 0
	uint64_t feat_bits[4];
	bool features_after;         // unread: the file is a stream
	char *osrelease, *arch;
	bool dir_format;
	uint64_t dir_version, dir_off;

	pd_perf_buildid_fn buildid_fn;
	void *buildid_arg;
	pd_perf_release_fn release_fn;
	void *release_arg;
	uint8_t *pending_buildids; // entries read before a callback was set
	size_t pending_len;
	pd_perf_tracing_fn tracing_fn;
	void *tracing_arg;
	struct blob *pending_tracing;
	size_t npending_tracing;
};

struct pd_header *pd_header_create(struct pd_input *in, struct pd_events *ev) {
	struct pd_header *h = pd_xcalloc(1, sizeof(*h));
	h->in = in;
	h->ev = ev;
	h->data_end = UINT64_MAX;
	return h;
}

void pd_header_destroy(struct pd_header *h) {
	if (!h) {
		return;
	}
	free(h->osrelease);
	free(h->arch);
	free(h->pending_buildids);
	for (size_t i = 0; i < h->npending_tracing; i++) {
		free(h->pending_tracing[i].p);
	}
	free(h->pending_tracing);
	free(h);
}

// ---- feature sections ----

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

// One build_id_event: header, pid, build id (20 bytes, or the size at
// byte 32 with misc bit 15), filename.
static void emit_buildid(struct pd_header *h, const uint8_t *p, size_t n) {
	if (n < 36) {
		return;
	}
	uint16_t misc = pd_get_u16(p + 4);
	size_t idlen = 20;
	if (misc & (1u << 15)) {
		idlen = p[32] <= 20 ? p[32] : 20;
	}
	char *file = pd_xstrndup((const char *)p + 36, n - 36);
	h->buildid_fn(h->buildid_arg, misc & PD_MISC_CPUMODE_MASK,
		(int32_t)pd_get_u32(p + 8), p + 12, idlen, file);
	free(file);
}

static enum pd_status read_buildids(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
	for (size_t pos = 0; pos + 8 <= len;) {
		uint16_t n = pd_get_u16(p + pos + 6);
		if (n < 8 || n > len - pos) {
			pd_input_error(in, off + pos, "bad build-id entry size %u",
				n);
			return PD_EDATA;
		}
		if (h->buildid_fn) {
			emit_buildid(h, p + pos, n);
		} else {
			h->pending_buildids = pd_xrealloc(h->pending_buildids,
				h->pending_len + n);
			memcpy(h->pending_buildids + h->pending_len, p + pos, n);
			h->pending_len += n;
		}
		pos += n;
	}
	return PD_OK;
}

// The blob is for libtraceevent, which pd does not parse here.
static void tracing_data(struct pd_header *h, const uint8_t *p, size_t len,
		uint64_t off) {
	if (h->tracing_fn) {
		h->tracing_fn(h->tracing_arg, p, len, off);
		return;
	}
	h->pending_tracing = pd_xrealloc(h->pending_tracing,
		(h->npending_tracing + 1) * sizeof(*h->pending_tracing));
	uint8_t *copy = pd_xmalloc(len);
	memcpy(copy, p, len);
	h->pending_tracing[h->npending_tracing++] = (struct blob){copy, len, off};
}

static enum pd_status read_tracing(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
	tracing_data(h, p, len, off);
	return PD_OK;
}

static void set_string(char **dst, const uint8_t *p, size_t len) {
	const char *s;
	size_t slen, pos = 0;
	if (get_string(p, len, &pos, &s, &slen)) {
		free(*dst);
		*dst = pd_xstrndup(s, slen);
	}
}

static enum pd_status read_osrelease(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
	set_string(&h->osrelease, p, len);
	if (h->release_fn && h->osrelease) {
		h->release_fn(h->release_arg, h->osrelease);
	}
	return PD_OK;
}

static enum pd_status read_arch(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
	set_string(&h->arch, p, len);
	return PD_OK;
}

// u32 nr, u32 attr size, then per event: attr, u32 nr_ids, name, ids.
// A short section names fewer events: the defaults stay.
static enum pd_status read_event_desc(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
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
		pd_events_set_name(h->ev, i, s, slen);
		if (nids > (len - pos) / 8) {
			break;
		}
		pos += (size_t)nids * 8;
	}
	return PD_OK;
}

// Only a directory's data file says what its version means, so a bad
// section is judged when a directory is opened (see pd_perf_open).
static enum pd_status read_dir_format(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, size_t len,
		uint64_t off) {
	h->dir_format = true;
	h->dir_version = len >= 8 ? pd_get_u64(p) : 0;
	h->dir_off = off;
	return PD_OK;
}

typedef enum pd_status (*feature_fn)(struct pd_header *h,
	const struct pd_input *in, const uint8_t *p, size_t len, uint64_t off);

// The features pd reads, by bit; the sections of the others are skipped.
static const feature_fn features[] = {
	[FEAT_TRACING_DATA] = read_tracing,
	[FEAT_BUILD_ID] = read_buildids,
	[FEAT_OSRELEASE] = read_osrelease,
	[FEAT_ARCH] = read_arch,
	[FEAT_EVENT_DESC] = read_event_desc,
	[FEAT_DIR_FORMAT] = read_dir_format,
};

static feature_fn feature(uint64_t bit) {
	return bit < sizeof(features) / sizeof(*features) ? features[bit] : NULL;
}

// The section table at the end of the data: {u64 offset, u64 size} for
// each set bit of the feature map, in bit order.
static enum pd_status read_features(struct pd_header *h) {
	unsigned nfeat = 0;
	for (int i = 0; i < 4; i++) {
		nfeat += pd_popcount64(h->feat_bits[i]);
	}
	if (nfeat == 0) {
		return PD_OK;
	}
	uint64_t idx_off = h->data_end;
	uint8_t *idx = pd_input_copy(h->in, idx_off, (uint64_t)nfeat * 16);
	if (!idx) {
		pd_input_error(h->in, idx_off, "feature section table runs past "
			"the end of the file");
		return PD_EDATA;
	}
	enum pd_status st = PD_OK;
	unsigned k = 0;
	uint64_t last_end = 0, size = pd_input_size(h->in);
	for (unsigned bit = 0; bit < 256 && st == PD_OK; bit++) {
		if (!(h->feat_bits[bit / 64] >> (bit % 64) & 1)) {
			continue;
		}
		uint64_t ent = idx_off + 16 * k;
		uint64_t off = pd_get_u64(idx + 16 * k);
		uint64_t len = pd_get_u64(idx + 16 * k + 8);
		k++;
		// A feature cut short means a truncated file, even if unread.
		if (len > UINT64_MAX - off || (size && off + len > size)) {
			pd_input_error(h->in, ent, "feature %u section runs past "
				"the end of the file", bit);
			st = PD_EDATA;
			break;
		}
		if (off + len > last_end) {
			last_end = off + len;
		}
		feature_fn fn = feature(bit);
		if (!fn) {
			continue;
		}
		if (len > MAX_FEATURE) {
			pd_input_error(h->in, ent, "feature %u section is "
				"implausibly large", bit);
			st = PD_EDATA;
			break;
		}
		uint8_t *p = pd_input_copy(h->in, off, len);
		if (!p) {
			pd_input_error(h->in, ent, "feature %u section runs past "
				"the end of the file", bit);
			st = PD_EDATA;
			break;
		}
		st = fn(h, h->in, p, (size_t)len, off);
		free(p);
	}
	free(idx);
	// On a stream, make sure the last section is really there.
	const uint8_t *p;
	if (st == PD_OK && !pd_input_seekable(h->in) && last_end
			&& (!pd_input_seek(h->in, last_end - 1)
				|| pd_input_fill(h->in, 1, &p) < 1)) {
		pd_input_error(h->in, last_end, "feature sections run past the "
			"end of the file");
		st = PD_EDATA;
	}
	return st;
}

enum pd_status pd_header_finish(struct pd_header *h) {
	if (!h->features_after) {
		return PD_OK;
	}
	h->features_after = false;
	return read_features(h);
}

// ---- pipe-mode header records ----

static enum pd_status header_attr(struct pd_header *h,
		const struct pd_input *in, const uint8_t *p, uint32_t size,
		uint64_t off) {
	if (size < 8 + 64) {
		pd_input_error(in, off, "attribute record too short");
		return PD_EDATA;
	}
	uint32_t asz = pd_get_u32(p + 12);
	asz = asz ? asz : 64;
	enum pd_status st = pd_events_add(h->ev, p + 8, size - 8, in, off);
	if (st == PD_OK) {
		pd_events_add_ids(h->ev, h->ev->n - 1, p + 8 + asz,
			(size - 8 - asz) / 8);
	}
	return st;
}

enum pd_status pd_header_record(struct pd_header *h, const struct pd_input *in,
		const uint8_t *p, uint32_t size, uint64_t off,
		const uint8_t *payload, uint64_t payload_len) {
	switch (pd_get_u32(p)) {
	case PD_REC_HEADER_ATTR:
		return header_attr(h, in, p, size, off);
	case PD_REC_HEADER_FEATURE: {
		if (size < 16) {
			pd_input_error(in, off, "feature record too short");
			return PD_EDATA;
		}
		if (size == 16) {
			return PD_OK; // end-of-features marker
		}
		feature_fn fn = feature(pd_get_u64(p + 8));
		return fn ? fn(h, in, p + 16, size - 16, off + 16) : PD_OK;
	}
	case PD_REC_HEADER_TRACING_DATA:
		if (payload_len) {
			tracing_data(h, payload, (size_t)payload_len, off + size);
		}
		return PD_OK;
	case PD_REC_HEADER_BUILD_ID:
		if (h->buildid_fn) {
			emit_buildid(h, p, size);
		}
		return PD_OK;
	case PD_REC_EVENT_UPDATE:
		// Type 2 names the event with the id at +16.
		if (size > 24 && pd_get_u64(p + 8) == 2) {
			int i = pd_events_find(h->ev, pd_get_u64(p + 16));
			if (i >= 0) {
				pd_events_set_name(h->ev, (size_t)i,
					(const char *)p + 24, size - 24);
			}
		}
		return PD_OK;
	default:
		return PD_OK;
	}
}

// ---- file header ----

// The attrs entries (attr + {u64 offset, u64 size} of its ids) and the id
// arrays, all within pre, the bytes between the header and the data.
static enum pd_status read_attrs(struct pd_header *h, const uint8_t *pre,
		uint64_t pre_len, uint64_t attr_size, uint64_t attrs_off,
		uint64_t nattr) {
	uint64_t ids_total = 0;
	for (uint64_t i = 0; i < nattr; i++) {
		uint64_t off = attrs_off + i * attr_size;
		if (off < FILE_HEADER_SIZE || off - FILE_HEADER_SIZE > pre_len
				|| attr_size > pre_len - (off - FILE_HEADER_SIZE)) {
			pd_input_error(h->in, 24, "attribute section outside the "
				"area before the data section is not supported");
			return PD_EDATA;
		}
		const uint8_t *a = pre + (off - FILE_HEADER_SIZE);
		enum pd_status st = pd_events_add(h->ev, a, (size_t)attr_size - 16,
			h->in, off);
		if (st != PD_OK) {
			return st;
		}
		uint64_t ids_off = pd_get_u64(a + attr_size - 16);
		uint64_t ids_len = pd_get_u64(a + attr_size - 8);
		if (ids_len == 0) {
			continue;
		}
		if (ids_off < FILE_HEADER_SIZE || ids_len % 8
				|| ids_off - FILE_HEADER_SIZE > pre_len
				|| ids_len > pre_len - (ids_off - FILE_HEADER_SIZE)
				|| ids_len > pre_len - ids_total) {
			// (Id arrays may not overlap: together they fit the area.)
			pd_input_error(h->in, off + attr_size - 16, "bad event id "
				"section");
			return PD_EDATA;
		}
		ids_total += ids_len;
		pd_events_add_ids(h->ev, h->ev->n - 1,
			pre + (ids_off - FILE_HEADER_SIZE), (size_t)(ids_len / 8));
	}
	return PD_OK;
}

static enum pd_status read_file_header(struct pd_header *h, const uint8_t *hd) {
	uint64_t attr_size = pd_get_u64(hd + 16);
	uint64_t attrs_off = pd_get_u64(hd + 24);
	uint64_t attrs_len = pd_get_u64(hd + 32);
	h->data_off = pd_get_u64(hd + 40);
	uint64_t data_len = pd_get_u64(hd + 48);
	for (int i = 0; i < 4; i++) {
		h->feat_bits[i] = pd_get_u64(hd + 72 + 8 * i);
	}
	uint64_t size = pd_input_size(h->in);
	if (attr_size < 64 + 16 || attr_size > 4096) {
		pd_input_error(h->in, 16, "bad attribute entry size %llu",
			(unsigned long long)attr_size);
		return PD_EDATA;
	}
	if (attrs_len == 0 || attrs_len % attr_size != 0) {
		pd_input_error(h->in, 32, "bad attribute section size %llu",
			(unsigned long long)attrs_len);
		return PD_EDATA;
	}
	if (h->data_off < FILE_HEADER_SIZE) {
		pd_input_error(h->in, 40, "bad data section offset 0x%llx",
			(unsigned long long)h->data_off);
		return PD_EDATA;
	}
	if (size && h->data_off > size) {
		pd_input_error(h->in, 40, "data section starts past the end of "
			"the file (0x%llx)", (unsigned long long)h->data_off);
		return PD_EDATA;
	}
	if (data_len == 0) {
		// An interrupted recording: data runs to the end, no features.
		h->data_end = UINT64_MAX;
		h->unfinished = true;
		memset(h->feat_bits, 0, sizeof(h->feat_bits));
	} else if (data_len > UINT64_MAX - h->data_off) {
		pd_input_error(h->in, 48, "bad data section size");
		return PD_EDATA;
	} else {
		h->data_end = h->data_off + data_len;
	}
	// Everything between the header and the data (attrs, id arrays) is
	// read in one piece; attrs elsewhere need a seekable file.
	uint64_t pre_len = h->data_off - FILE_HEADER_SIZE;
	if (pre_len > MAX_PREAMBLE) {
		pd_input_error(h->in, 40, "attribute area is implausibly large");
		return PD_EDATA;
	}
	uint8_t *pre = pd_input_copy(h->in, FILE_HEADER_SIZE, pre_len);
	if (!pre) {
		pd_input_error(h->in, FILE_HEADER_SIZE, "file ends before its "
			"data section");
		return PD_EDATA;
	}
	enum pd_status st = read_attrs(h, pre, pre_len, attr_size, attrs_off,
		attrs_len / attr_size);
	free(pre);
	if (st != PD_OK) {
		return st;
	}
	if (!pd_input_seekable(h->in)) {
		h->features_after = h->data_end != UINT64_MAX;
		if (!pd_input_seek(h->in, h->data_off)) {
			pd_input_error(h->in, 40, "file ends before its data "
				"section");
			return PD_EDATA;
		}
		return PD_OK;
	}
	// Read features first when the whole file is there; a file cut
	// short inside its data section has none to read.
	if (h->data_end != UINT64_MAX && size && h->data_end <= size) {
		st = read_features(h);
	}
	if (st == PD_OK && !pd_input_seek(h->in, h->data_off)) {
		pd_input_error(h->in, 40, "cannot seek to the data section");
		st = PD_EDATA;
	}
	return st;
}

enum pd_status pd_header_read(struct pd_header *h) {
	const uint8_t *hd;
	size_t have = pd_input_fill(h->in, FILE_HEADER_SIZE, &hd);
	uint64_t magic = have >= 8 ? pd_get_u64(hd) : 0;
	if (have < 8) {
		pd_input_error(h->in, 0, have ? "file is too short to be "
			"perf.data" : "empty input");
	} else if (magic == __builtin_bswap64(MAGIC2)) {
		pd_input_error(h->in, 0, "perf.data from an opposite-endian "
			"machine is not supported");
	} else if (magic == MAGIC1) {
		pd_input_error(h->in, 0, "perf.data version 1 (PERFFILE) is not "
			"supported");
	} else if (magic != MAGIC2) {
		pd_input_error(h->in, 0, "not a perf.data file (bad magic)");
	} else if (have < 16) {
		pd_input_error(h->in, 8, "file ends inside its header");
	} else if (pd_get_u64(hd + 8) == PIPE_HEADER_SIZE) {
		h->pipe = true;
		pd_input_drop(h->in, PIPE_HEADER_SIZE);
		return PD_OK;
	} else if (pd_get_u64(hd + 8) != FILE_HEADER_SIZE) {
		pd_input_error(h->in, 8, "unsupported header size %llu",
			(unsigned long long)pd_get_u64(hd + 8));
	} else if (have < FILE_HEADER_SIZE) {
		pd_input_error(h->in, have, "file ends inside its header");
	} else {
		uint8_t copy[FILE_HEADER_SIZE];
		memcpy(copy, hd, sizeof(copy));
		pd_input_drop(h->in, FILE_HEADER_SIZE);
		return read_file_header(h, copy);
	}
	return PD_EDATA;
}

// ---- facts and callbacks ----

bool pd_header_pipe(const struct pd_header *h) {
	return h->pipe;
}

uint64_t pd_header_data_end(const struct pd_header *h) {
	return h->data_end;
}

bool pd_header_unfinished(const struct pd_header *h) {
	return h->unfinished;
}

bool pd_header_dir_format(const struct pd_header *h, uint64_t *version,
		uint64_t *off) {
	*version = h->dir_version;
	*off = h->dir_off;
	return h->dir_format;
}

const char *pd_header_osrelease(const struct pd_header *h) {
	return h->osrelease;
}

const char *pd_header_arch(const struct pd_header *h) {
	return h->arch;
}

void pd_header_set_release_callback(struct pd_header *h,
		pd_perf_release_fn fn, void *arg) {
	h->release_fn = fn;
	h->release_arg = arg;
	if (fn && h->osrelease) {
		fn(arg, h->osrelease);
	}
}

void pd_header_set_buildid_callback(struct pd_header *h,
		pd_perf_buildid_fn fn, void *arg) {
	h->buildid_fn = fn;
	h->buildid_arg = arg;
	if (fn && h->pending_len) {
		read_buildids(h, h->in, h->pending_buildids, h->pending_len, 0);
		free(h->pending_buildids);
		h->pending_buildids = NULL;
		h->pending_len = 0;
	}
}

void pd_header_set_tracing_callback(struct pd_header *h,
		pd_perf_tracing_fn fn, void *arg) {
	h->tracing_fn = fn;
	h->tracing_arg = arg;
	if (!fn) {
		return;
	}
	for (size_t i = 0; i < h->npending_tracing; i++) {
		struct blob *b = &h->pending_tracing[i];
		fn(arg, b->p, b->len, b->off);
		free(b->p);
	}
	free(h->pending_tracing);
	h->pending_tracing = NULL;
	h->npending_tracing = 0;
}
