// SPDX-License-Identifier: MIT
// perf.data reader, first half: input window, header, attrs, event names,
// feature sections, opening. Format facts: perf.data-file-format.txt and
// include/uapi/linux/perf_event.h.
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

#include "perf-internal.h"
#include "prefetch.h"
#include "util.h"

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
size_t pd_perf_in_fill(struct input *in, size_t n) {
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

void pd_perf_in_drop(struct input *in, size_t n) {
	in->lo += n;
	in->pos += n;
	pd_prefetch_at(in->prefetch, in->pos);
}

// Moves forward to offset off (skipping bytes); false if it lies behind us
// on a stream or beyond the end.
bool pd_perf_in_seek(struct input *in, uint64_t off) {
	if (in->map) {
		if (off > in->hi) {
			return false;
		}
		in->lo = (size_t)off;
		in->pos = off;
		pd_prefetch_at(in->prefetch, in->pos);
		return true;
	}
	if (off >= in->pos && off <= in->pos + (in->hi - in->lo)) {
		pd_perf_in_drop(in, (size_t)(off - in->pos));
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
		size_t have = pd_perf_in_fill(in, 1);
		if (have == 0) {
			return false;
		}
		uint64_t step = off - in->pos < have ? off - in->pos : have;
		pd_perf_in_drop(in, (size_t)step);
	}
	return true;
}

// Reads [off, off + len) into a new buffer; NULL if unavailable.
static uint8_t *in_read_range(struct input *in, uint64_t off, uint64_t len) {
	if (in->size && (off > in->size || len > in->size - off)) {
		return NULL;
	}
	if (!pd_perf_in_seek(in, off) || pd_perf_in_fill(in, (size_t)len) < len) {
		return NULL;
	}
	uint8_t *p = pd_xmalloc((size_t)len);
	memcpy(p, in->buf + in->lo, (size_t)len);
	pd_perf_in_drop(in, (size_t)len);
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

int pd_perf_id_lookup(const struct pd_perf *r, uint64_t id) {
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
enum pd_status pd_perf_add_event(struct pd_perf *r, const uint8_t *a,
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

void pd_perf_add_ids(struct pd_perf *r, size_t ev, const uint8_t *p, size_t n) {
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

void pd_perf_set_event_name(struct pd_perf *r, size_t ev, const char *s,
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

void pd_perf_emit_buildid(struct pd_perf *r, const uint8_t *p, size_t n) {
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
			pd_perf_emit_buildid(r, p + pos, n);
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
		pd_perf_set_event_name(r, i, s, slen);
		if (nids > (len - pos) / 8) {
			break;
		}
		pos += (size_t)nids * 8;
	}
	(void)off;
	return PD_OK;
}

enum pd_status pd_perf_feature(struct pd_perf *r, unsigned bit,
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

enum pd_status pd_perf_read_features(struct pd_perf *r) {
	unsigned nfeat = 0;
	for (int i = 0; i < 4; i++) {
		nfeat += pd_popcount64(r->feat_bits[i]);
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
		st = pd_perf_feature(r, bit, p, (size_t)len, off);
		free(p);
	}
	free(idx);
	// On a stream, make sure the last section is really there.
	if (st == PD_OK && !r->in.seekable && last_end
			&& (!pd_perf_in_seek(&r->in, last_end - 1) || pd_perf_in_fill(&r->in, 1) < 1)) {
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
	uint64_t ids_total = 0;
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
		st = pd_perf_add_event(r, a, (size_t)attr_size - 16, off);
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
				|| ids_len > pre_len - (ids_off - FILE_HEADER_SIZE)
				|| ids_len > pre_len - ids_total) {
			// (Id arrays may not overlap: together they fit the area.)
			pd_perf_error(r, off + attr_size - 16, "bad event id "
				"section");
			st = PD_EDATA;
			break;
		}
		ids_total += ids_len;
		pd_perf_add_ids(r, r->nevents - 1, pre + (ids_off - FILE_HEADER_SIZE),
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
			st = pd_perf_read_features(r);
		}
		if (st == PD_OK && !pd_perf_in_seek(&r->in, r->data_off)) {
			pd_perf_error(r, 40, "cannot seek to the data section");
			st = PD_EDATA;
		}
	} else {
		r->read_features_after = r->data_end != UINT64_MAX;
		if (!pd_perf_in_seek(&r->in, r->data_off)) {
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
	if (fstat(fd, &sb) != 0) {
		sb.st_mode = 0;
	}
	if (S_ISFIFO(sb.st_mode)) {
		// A pipe holds 64 KiB by default: the writer and pd then wake
		// each other for every 64 KiB, which on a 300 MB profile cost
		// more than reading it. 1 MiB is the most an unprivileged
		// process may ask for by default (fs.pipe-max-size); failure
		// only costs speed.
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	}
	if (S_ISREG(sb.st_mode)) {
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
				r->in.prefetch = pd_prefetch_start(m, r->in.size);
			}
		}
	}
	enum pd_status st = PD_EDATA;
	size_t have = pd_perf_in_fill(&r->in, FILE_HEADER_SIZE);
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
		pd_perf_in_drop(&r->in, PIPE_HEADER_SIZE);
		st = PD_OK;
	} else if (pd_get_u64(h + 8) != FILE_HEADER_SIZE) {
		pd_perf_error(r, 8, "unsupported header size %llu",
			(unsigned long long)pd_get_u64(h + 8));
	} else if (have < FILE_HEADER_SIZE) {
		pd_perf_error(r, have, "file ends inside its header");
	} else {
		uint8_t hdr[FILE_HEADER_SIZE];
		memcpy(hdr, h, sizeof(hdr));
		pd_perf_in_drop(&r->in, FILE_HEADER_SIZE);
		st = open_file_mode(r, hdr);
	}
	if (st != PD_OK) {
		pd_perf_close(r);
		return st;
	}
	*out = r;
	return PD_OK;
}


void pd_perf_close(struct pd_perf *r) {
	if (!r) {
		return;
	}
	if (r->in.fd != STDIN_FILENO) {
		close(r->in.fd);
	}
	if (r->in.map) {
		pd_prefetch_stop(r->in.prefetch);
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
		pd_perf_unref_block(r, r->q[i].block);
	}
	pd_perf_unref_block(r, r->cur);
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
