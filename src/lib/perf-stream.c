// SPDX-License-Identifier: MIT
// One input's records in file order (see perf-stream.h). zstd: perf
// compresses each file as one stream that is flushed after every ring
// buffer push but never ended (tools/perf/util/zstd.c).
#include "perf-stream.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "alloc.h"
#include "bytes.h"

#define MAX_EXPANDED (256u << 20) // decompressed bytes not yet delivered
#define MAX_TRACING (64u << 20)   // HEADER_TRACING_DATA payload

struct pd_stream {
	struct pd_input *in;
	struct pd_header *h;
	uint32_t file;
	uint64_t end;       // UINT64_MAX: to the end of the input
	uint32_t last_type; // of the last record read from the input
	uint64_t unended;   // offset + 1 of an end without FINISHED_ROUND

	ZSTD_DStream *zs;
	uint8_t *zbuf;      // decompressed records: zbuf[zlo, zhi)
	size_t zcap, zlo, zhi;
	uint64_t zoff;      // offset of the compressed record they came from
	bool zmid_block;    // the zstd stream stopped inside a block
};

struct pd_stream *pd_stream_create(struct pd_input *in, struct pd_header *h,
		uint32_t file, uint64_t end) {
	struct pd_stream *s = pd_xcalloc(1, sizeof(*s));
	s->in = in;
	s->h = h;
	s->file = file;
	s->end = end;
	return s;
}

void pd_stream_destroy(struct pd_stream *s) {
	if (!s) {
		return;
	}
	ZSTD_freeDStream(s->zs);
	free(s->zbuf);
	free(s);
}

bool pd_stream_pending(const struct pd_stream *s) {
	return s->zhi > s->zlo;
}

static enum pd_status decompress(struct pd_stream *s, const uint8_t *p,
		size_t n, uint64_t off) {
	if (!s->zs) {
		s->zs = ZSTD_createDStream();
		if (!s->zs) {
			errx(PD_ENOMEM, "out of memory");
		}
		ZSTD_initDStream(s->zs);
	}
	if (s->zlo > 0) {
		memmove(s->zbuf, s->zbuf + s->zlo, s->zhi - s->zlo);
		s->zhi -= s->zlo;
		s->zlo = 0;
	}
	ZSTD_inBuffer zin = {p, n, 0};
	// Until the input is used up and zstd has no output left to give
	// (a full output buffer may hide more).
	for (bool full = true; zin.pos < zin.size || full;) {
		pd_xgrow(&s->zbuf, &s->zcap, s->zhi + ZSTD_DStreamOutSize(), 1);
		ZSTD_outBuffer zout = {s->zbuf, s->zcap, s->zhi};
		size_t ret = ZSTD_decompressStream(s->zs, &zout, &zin);
		if (ZSTD_isError(ret)) {
			pd_input_error(s->in, off, "zstd: %s", ZSTD_getErrorName(ret));
			return PD_EDATA;
		}
		full = zout.pos == zout.size;
		// perf flushes after every record, so a whole one ends on a
		// block boundary, where zstd asks for a block header next.
		s->zmid_block = ret > 3; // 3: the size of a block header
		s->zhi = zout.pos;
		if (s->zhi - s->zlo > MAX_EXPANDED) {
			pd_input_error(s->in, off, "compressed record expands to an "
				"implausible size");
			return PD_EDATA;
		}
	}
	s->zoff = off;
	return PD_OK;
}

// Next record out of the decompressed bytes, if a whole one is there.
static bool next_decompressed(struct pd_stream *s, struct pd_record *rec) {
	size_t avail = s->zhi - s->zlo;
	if (avail < 8) {
		return false;
	}
	const uint8_t *p = s->zbuf + s->zlo;
	uint16_t size = pd_get_u16(p + 6);
	if (size < 8) {
		// Corrupt: the caller reports it.
		*rec = (struct pd_record){.size = size, .data = p};
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
		.offset = s->zoff,
		.compressed = true,
		.file = s->file,
	};
	s->zlo += size;
	return true;
}

// The end of the input: fine where the stream may end.
static enum pd_status at_end(struct pd_stream *s, uint64_t off) {
	if (s->zhi > s->zlo || s->zmid_block) {
		pd_input_error(s->in, s->zoff, "compressed data ends inside a "
			"record");
		return PD_EDATA;
	}
	// perf record ends every stream with FINISHED_ROUND; a stream
	// without one was cut short at a record's end, or perf killed, or it
	// was written by perf inject, which leaves none. Its records are read
	// all the same, and the caller told (pd_stream_unended).
	if (off < s->end && s->last_type != PD_REC_FINISHED_ROUND) {
		s->unended = off + 1;
	}
	return PD_FOUND;
}

bool pd_stream_unended(const struct pd_stream *s, uint64_t *off) {
	*off = s->unended ? s->unended - 1 : 0;
	return s->unended != 0;
}

// A HEADER_TRACING_DATA record (at p, size bytes, at off) and the
// tracing data after it, which its u32 at +8 sizes.
static enum pd_status tracing_record(struct pd_stream *s, uint32_t size,
		uint64_t off) {
	const uint8_t *p;
	pd_input_fill(s->in, size, &p);
	uint64_t extra = size >= 12 ? pd_get_u32(p + 8) : 0;
	uint64_t end = s->end, file_size = pd_input_size(s->in);
	if (file_size && file_size < end) {
		end = file_size;
	}
	if (extra > end - off - size) {
		pd_input_error(s->in, off, "record payload runs past the end of "
			"the file");
		return PD_EDATA;
	}
	if (extra > MAX_TRACING) {
		pd_input_error(s->in, off, "tracing data of %llu bytes is "
			"implausibly large", (unsigned long long)extra);
		return PD_EDATA;
	}
	if (pd_input_fill(s->in, size + (size_t)extra, &p) < size + extra) {
		pd_input_error(s->in, off, "record payload runs past the end of "
			"the file");
		return PD_EDATA;
	}
	enum pd_status st = pd_header_record(s->h, s->in, p, size, off,
		p + size, extra);
	pd_input_drop(s->in, size + (size_t)extra);
	return st;
}

// Consumes a record of the input that is not delivered; p: its size
// bytes at off.
static enum pd_status consume(struct pd_stream *s, const uint8_t *p,
		uint32_t size, uint64_t off) {
	uint32_t type = pd_get_u32(p);
	enum pd_status st = PD_OK;
	uint64_t extra = 0;
	switch (type) {
	case PD_REC_COMPRESSED:
		st = decompress(s, p + 8, size - 8, off);
		break;
	case PD_REC_COMPRESSED2: {
		// perf reads data_size, not header.size (notes §12).
		uint64_t n = size >= 16 ? pd_get_u64(p + 8) : UINT64_MAX;
		if (n > size - 16) {
			pd_input_error(s->in, off, "compressed record's data size "
				"does not fit the record");
			return PD_EDATA;
		}
		st = decompress(s, p + 16, (size_t)n, off);
		break;
	}
	case PD_REC_HEADER_TRACING_DATA:
		return tracing_record(s, size, off);
	case PD_REC_AUXTRACE:
		// AUX area data follows the record; pd has no use for it.
		extra = size >= 16 ? pd_get_u64(p + 8) : 0;
		break;
	default:
		st = pd_header_record(s->h, s->in, p, size, off, NULL, 0);
	}
	if (st != PD_OK) {
		return st;
	}
	pd_input_drop(s->in, size);
	uint64_t pos = pd_input_pos(s->in);
	if (extra && (extra > s->end - pos || !pd_input_seek(s->in, pos + extra))) {
		pd_input_error(s->in, off, "record payload runs past the end of "
			"the file");
		return PD_EDATA;
	}
	return PD_OK;
}

static bool delivered(uint32_t type) {
	switch (type) {
	case PD_REC_COMPRESSED:
	case PD_REC_COMPRESSED2:
	case PD_REC_HEADER_ATTR:
	case PD_REC_HEADER_EVENT_TYPE:
	case PD_REC_HEADER_TRACING_DATA:
	case PD_REC_HEADER_BUILD_ID:
	case PD_REC_EVENT_UPDATE:
	case PD_REC_HEADER_FEATURE:
	case PD_REC_AUXTRACE:
		return false;
	default:
		return true;
	}
}

enum pd_status pd_stream_next(struct pd_stream *s, struct pd_record *rec) {
	for (;;) {
		if (next_decompressed(s, rec)) {
			if (rec->size < 8) {
				pd_input_error(s->in, s->zoff, "record in compressed "
					"data has bad size %u", rec->size);
				return PD_EDATA;
			}
			return PD_OK;
		}
		const uint8_t *p;
		uint64_t off = pd_input_pos(s->in);
		size_t have = off >= s->end ? 0 : pd_input_fill(s->in, 8, &p);
		if (have == 0 && (off >= s->end || s->end == UINT64_MAX)) {
			return at_end(s, off);
		}
		if (have < 8) {
			pd_input_error(s->in, off, "file ends inside a record header");
			return PD_EDATA;
		}
		uint32_t type = pd_get_u32(p);
		uint32_t size = pd_get_u16(p + 6);
		if (size < 8) {
			pd_input_error(s->in, off, "record of type %u has bad size %u",
				type, size);
			return PD_EDATA;
		}
		if (s->end - off < size) {
			// (A directory's data.N file is all data section.)
			pd_input_error(s->in, off, "record runs past the end of the "
				"%s", s->end == pd_input_size(s->in) ? "file"
				: "data section");
			return PD_EDATA;
		}
		if (have < size && pd_input_fill(s->in, size, &p) < size) {
			pd_input_error(s->in, off, "record runs past the end of the "
				"file");
			return PD_EDATA;
		}
		s->last_type = type;
		if (delivered(type)) {
			*rec = (struct pd_record){
				.type = type,
				.misc = pd_get_u16(p + 4),
				.size = size,
				.data = p,
				.offset = off,
				.file = s->file,
			};
			pd_input_drop(s->in, size);
			return PD_OK;
		}
		enum pd_status st = consume(s, p, size, off);
		if (st != PD_OK) {
			return st;
		}
	}
}
