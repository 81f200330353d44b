// SPDX-License-Identifier: MIT
// perf.data reader, second half: the record stream, zstd frames, samples
// and perf's event order (tools/perf/util/ordered-events.c).
#include "perf.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <zstd.h>

#include "perf-internal.h"
#include "prefetch.h"
#include "util.h"

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
	int ev = pd_perf_id_lookup(r, id);
	if (ev < 0 && type == PD_REC_SAMPLE) {
		return -2; // a sample of no known event: parse_sample says so
	}
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
		pd_perf_error(r, rec->offset, rec->event == -1
			? "sample before any event attribute"
			: "sample's event id matches no event attribute");
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
		// Entries are {from, to, flags}; with BRANCH_COUNTERS a u64
		// counter per entry follows them.
		uint64_t each = e->branch_sample_type & (1u << 19) ? 32 : 24;
		if (nr > (uint64_t)(c.end - c.p) / each) {
			c.bad = true;
		} else {
			take_bytes(&c, nr * each);
		}
	}
	if (t & PD_SAMPLE_REGS_USER) {
		s->regs_abi = take_u64(&c);
		if (s->regs_abi) {
			s->regs_mask = e->sample_regs_user;
			s->regs = take_bytes(&c,
				8 * (uint64_t)pd_popcount64(s->regs_mask));
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
		// perf flushes after every record, so a whole one ends on a
		// block boundary, where zstd asks for a block header next.
		r->zmid_block = ret > 3; // 3: the size of a block header
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
		enum pd_status st = pd_perf_add_event(r, p + 8, size - 8, off);
		if (st == PD_OK) {
			pd_perf_add_ids(r, r->nevents - 1, p + 8 + asz,
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
		return pd_perf_feature(r, (unsigned)pd_get_u64(p + 8), p + 16, size - 16,
			off + 16);
	case PD_REC_HEADER_BUILD_ID:
		if (r->buildid_fn) {
			pd_perf_emit_buildid(r, p, size);
		}
		return PD_OK;
	case PD_REC_EVENT_UPDATE:
		if (size > 24 && pd_get_u64(p + 8) == 2) {
			int ev = pd_perf_id_lookup(r, pd_get_u64(p + 16));
			if (ev >= 0) {
				pd_perf_set_event_name(r, (size_t)ev, (const char *)p + 24,
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
		size_t have = r->in.pos >= r->data_end ? 0
			: pd_perf_in_fill(&r->in, 8);
		uint64_t off = r->in.pos;
		if (have == 0 && (r->in.pos >= r->data_end
				|| r->data_end == UINT64_MAX)) {
			if (r->zhi > r->zlo || r->zmid_block) {
				pd_perf_error(r, r->zoff, "compressed data ends "
					"inside a record");
				return PD_EDATA;
			}
			if (r->in.pos >= r->data_end) {
				return PD_FOUND;
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
		if (pd_perf_in_fill(&r->in, size) < size) {
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
			pd_perf_in_drop(&r->in, size);
			return PD_OK;
		}
		pd_perf_in_drop(&r->in, size);
		if (extra && (extra > r->data_end - r->in.pos
				|| !pd_perf_in_seek(&r->in, r->in.pos + extra))) {
			pd_perf_error(r, off, "record payload runs past the end "
				"of the file");
			return PD_EDATA;
		}
	}
}

// ---- ordering ----

void pd_perf_unref_block(struct pd_perf *r, struct qblock *b) {
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
		if (in->prefetch) {
			pd_prefetch_release(in->prefetch, low);
		} else {
			madvise(in->map + in->released, (size_t)(low - in->released),
				MADV_DONTNEED);
		}
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
			.size = rec->size,
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
		.size = rec->size,
		.block = b,
		.data = copy,
	};
	r->qbytes += rec->size;
	if (rec->time > r->max_time) {
		r->max_time = rec->time;
	}
}

// Records come cold from memory (a stack dump is 8 KiB or more): while
// one is processed, the one PREFETCH_AHEAD places on is loaded: its
// header, sample fields, registers and the top of its stack dump, where
// unwinding reads most, and its end (the dump's valid size).
#define PREFETCH_AHEAD 4
#define PREFETCH_BYTES 2048

static void prefetch_record(const struct qent *e) {
	uint32_t n = e->size < PREFETCH_BYTES ? e->size : PREFETCH_BYTES;
	for (uint32_t i = 0; i < n; i += 64) {
		__builtin_prefetch(e->data + i);
	}
	__builtin_prefetch(e->data + e->size - 1);
}

static void deliver(struct pd_perf *r, struct pd_record *rec) {
	if (r->next + PREFETCH_AHEAD < r->ready) {
		prefetch_record(&r->q[r->next + PREFETCH_AHEAD]);
	}
	struct qent *e = &r->q[r->next++];
	pd_perf_unref_block(r, r->cur);
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
		r->err = pd_perf_read_features(r);
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
