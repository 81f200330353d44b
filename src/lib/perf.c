// SPDX-License-Identifier: MIT
// perf.data reader (see perf.h): opens a file, a pipe or a directory, and
// puts the layers together: one input and one record stream per file,
// the header layer, perf's event order over all streams.
#include "perf.h"

#include <dirent.h>
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytes.h"
#include "hash.h"
#include "perf-events.h"
#include "perf-header.h"
#include "perf-input.h"
#include "perf-order.h"
#include "perf-sample.h"
#include "perf-stream.h"
#include "alloc.h"
#include "strbuf.h"

// perf reads a directory's files in turns of this many bytes each
// (tools/perf/util/session.c, READER_MAX_SIZE); the turns decide the
// order of records with equal times.
#define TURN (2u << 20)

struct file {
	struct pd_input *in;
	struct pd_stream *st;
	bool done;
};

struct pd_perf {
	const char *name;      // as opened (borrowed), or "<stdin>"
	struct pd_events events;
	struct pd_header *h;
	struct pd_order *order;
	struct file *files;    // [0]: the file or a directory's data file
	size_t nfiles, reading;
	size_t cur;            // the file whose turn it is
	uint64_t turn_end;     // its input position that ends the turn
	bool pipe;
	bool done_reading;
	bool rested;       // every record handed out: inputs given back
	enum pd_status err;
	uint64_t unknown;
	// Counters' last values read: counter id + 1 -> n in read_last,
	// whose keys are thread id + 1 (or 1 where not counted per thread).
	struct pd_map64 read_ids;
	struct pd_map64 *read_last;
	size_t nread_last, read_last_cap;
};

void pd_perf_error(const struct pd_perf *r, uint64_t offset, const char *fmt,
		...) {
	va_list ap;
	va_start(ap, fmt);
	pd_input_verror(r->files[0].in, offset, fmt, ap);
	va_end(ap);
}

static const struct pd_input *input_of(const struct pd_perf *r,
		const struct pd_record *rec) {
	return r->files[rec->file < r->nfiles ? rec->file : 0].in;
}

void pd_perf_record_error(const struct pd_perf *r, const struct pd_record *rec,
		const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	pd_input_verror(input_of(r, rec), rec->offset, fmt, ap);
	va_end(ap);
}

const char *pd_perf_name(const struct pd_perf *r) {
	return r->name;
}

// ---- opening ----

// Adds a file, its input opened from path (NULL: stdin).
static enum pd_status add_file(struct pd_perf *r, const char *path,
		const char *name) {
	struct pd_input *in;
	enum pd_status st = pd_input_open(&in, path, name);
	if (st != PD_OK) {
		return st;
	}
	r->files = pd_xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
	r->files[r->nfiles++] = (struct file){.in = in};
	pd_order_add_input(r->order, in);
	return PD_OK;
}

// "dir/name" without doubling a slash the user typed.
static char *join(const char *dir, const char *name) {
	size_t n = strlen(dir);
	const char *sep = n && dir[n - 1] == '/' ? "" : "/";
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s%s%s", dir, sep, name);
	return b.s;
}

// The number of a "data.N" file (N decimal), or -1.
static long data_number(const char *name) {
	if (strncmp(name, "data.", 5) != 0) {
		return -1;
	}
	const char *d = name + 5;
	size_t n = strspn(d, "0123456789");
	if (n == 0 || n > 9 || d[n] != '\0') {
		return -1;
	}
	return strtol(d, NULL, 10);
}

struct entry {
	long n;
	char *name;
};

static int by_number(const void *a, const void *b) {
	const struct entry *x = a, *y = b;
	if (x->n != y->n) {
		return x->n < y->n ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

// The data.N files of directory path, in number order (perf takes them
// in readdir order; equal times then tie differently, nothing else).
static enum pd_status open_data_files(struct pd_perf *r, const char *path) {
	DIR *d = opendir(path);
	if (!d) {
		warn("%s", path);
		return PD_ENOINPUT;
	}
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		long k = data_number(de->d_name);
		if (k < 0) {
			continue;
		}
		pd_xgrow(&v, &cap, n + 1, sizeof(*v));
		v[n++] = (struct entry){k, join(path, de->d_name)};
	}
	closedir(d);
	if (n) {
		qsort(v, n, sizeof(*v), by_number);
	}
	enum pd_status st = PD_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		// perf skips what is not a regular file.
		if (st == PD_OK && stat(v[i].name, &sb) == 0
				&& S_ISREG(sb.st_mode)) {
			st = add_file(r, v[i].name, v[i].name);
		}
		free(v[i].name);
	}
	free(v);
	return st;
}

// A directory: its data file has been read; its DIR_FORMAT feature says
// whether records are in data.N files too (without it, as perf record
// --kcore writes, data holds them all).
static enum pd_status open_dir(struct pd_perf *r, const char *path) {
	uint64_t version, off;
	if (!pd_header_dir_format(r->h, &version, &off)) {
		return PD_OK;
	}
	if (version != 1) {
		pd_input_error(r->files[0].in, off, "unsupported perf.data "
			"directory version %llu", (unsigned long long)version);
		return PD_EDATA;
	}
	size_t first = r->nfiles;
	enum pd_status st = open_data_files(r, path);
	for (size_t i = first; i < r->nfiles; i++) {
		struct pd_input *in = r->files[i].in;
		r->files[i].st = pd_stream_create(in, r->h, (uint32_t)i,
			pd_input_size(in));
	}
	return st;
}

static enum pd_status open_main(struct pd_perf *r, const char *path,
		bool is_stdin, bool dir) {
	enum pd_status st;
	if (dir) {
		char *data = join(path, "data");
		st = add_file(r, data, data);
		free(data);
	} else {
		st = add_file(r, is_stdin ? NULL : path, r->name);
	}
	if (st != PD_OK) {
		return st;
	}
	struct pd_input *in = r->files[0].in;
	r->h = pd_header_create(in, &r->events);
	st = pd_header_read(r->h);
	if (st != PD_OK) {
		return st;
	}
	r->pipe = pd_header_pipe(r->h);
	r->files[0].st = pd_stream_create(in, r->h, 0, pd_header_data_end(r->h));
	return dir ? open_dir(r, path) : PD_OK;
}

enum pd_status pd_perf_open(struct pd_perf **out, const char *path) {
	*out = NULL;
	bool is_stdin = !path || strcmp(path, "-") == 0;
	struct stat sb;
	bool dir = !is_stdin && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	struct pd_perf *r = pd_xcalloc(1, sizeof(*r));
	r->name = is_stdin ? "<stdin>" : path;
	r->order = pd_order_create();
	enum pd_status st = open_main(r, path, is_stdin, dir);
	if (st != PD_OK) {
		pd_perf_close(r);
		return st;
	}
	r->reading = r->nfiles;
	r->turn_end = pd_input_pos(r->files[0].in) + TURN;
	*out = r;
	return PD_OK;
}

void pd_perf_close(struct pd_perf *r) {
	if (!r) {
		return;
	}
	pd_order_destroy(r->order);
	for (size_t i = 0; i < r->nfiles; i++) {
		pd_stream_destroy(r->files[i].st);
	}
	pd_header_destroy(r->h);
	for (size_t i = 0; i < r->nfiles; i++) {
		pd_input_close(r->files[i].in);
	}
	free(r->files);
	pd_events_finish(&r->events);
	for (size_t i = 0; i < r->nread_last; i++) {
		pd_map64_free(&r->read_last[i]);
	}
	free(r->read_last);
	pd_map64_free(&r->read_ids);
	free(r);
}

// ---- reading ----

// The end of file i's records.
static enum pd_status file_done(struct pd_perf *r, size_t i) {
	r->files[i].done = true;
	r->reading--;
	// A stream's feature sections come after its data.
	return i == 0 ? pd_header_finish(r->h) : PD_OK;
}

// The next record of the files, which take turns as in perf: each is
// read for TURN bytes (and the records expanded from a compressed one
// read last), then the next.
static enum pd_status read_next(struct pd_perf *r, struct pd_record *rec) {
	for (;;) {
		struct file *f = &r->files[r->cur];
		if (!f->done && (r->nfiles == 1 || pd_stream_pending(f->st)
				|| pd_input_pos(f->in) < r->turn_end)) {
			enum pd_status st = pd_stream_next(f->st, rec);
			if (st != PD_FOUND) {
				return st;
			}
			st = file_done(r, r->cur);
			if (st != PD_OK) {
				return st;
			}
		}
		if (r->reading == 0) {
			return PD_FOUND;
		}
		r->cur = (r->cur + 1) % r->nfiles;
		r->turn_end = pd_input_pos(r->files[r->cur].in) + TURN;
	}
}

// perf orders records only when the first event has sample_id_all
// (pipe mode: until the first attr arrives).
static bool ordered(const struct pd_perf *r) {
	if (r->events.n == 0) {
		return r->pipe;
	}
	return r->events.v[0].flags & PD_ATTR_SAMPLE_ID_ALL;
}

// Reads records until one is to be handed out at once (PD_OK, in *rec)
// or queued ones may be ready (PD_FOUND).
static enum pd_status read_records(struct pd_perf *r, struct pd_record *rec) {
	for (;;) {
		enum pd_status st = read_next(r, rec);
		if (st != PD_OK) {
			if (st != PD_FOUND) {
				r->err = st;
			}
			r->done_reading = true;
			pd_order_flush(r->order);
			return PD_FOUND;
		}
		if (rec->type == PD_REC_FINISHED_ROUND) {
			pd_order_round(r->order);
			return PD_FOUND;
		}
		if (rec->type >= 64 && rec->type != PD_REC_FINISHED_INIT) {
			if (rec->type > PD_REC_COMPRESSED2) {
				r->unknown++;
			}
			continue;
		}
		pd_sample_fill_record(&r->events, rec);
		if (rec->type > 22 && rec->type < 64) {
			r->unknown++;
			continue;
		}
		if (!ordered(r) || rec->time == 0 || rec->time == UINT64_MAX
				|| rec->type == PD_REC_FINISHED_INIT) {
			return PD_OK; // perf delivers these at once
		}
		if (pd_order_queue(r->order, rec)) {
			return PD_FOUND;
		}
	}
}

enum pd_status pd_perf_next(struct pd_perf *r, struct pd_record *rec) {
	for (;;) {
		if (pd_order_next(r->order, rec)) {
			pd_sample_fill_record(&r->events, rec);
			return PD_OK;
		}
		if (r->done_reading) {
			if (!r->rested) {
				r->rested = true;
				for (size_t i = 0; i < r->nfiles; i++) {
					pd_input_rest(r->files[i].in);
				}
			}
			return r->err != PD_OK ? r->err : PD_FOUND;
		}
		if (read_records(r, rec) == PD_OK) {
			return PD_OK;
		}
	}
}

enum pd_status pd_perf_parse_sample(struct pd_perf *r,
		const struct pd_record *rec, struct pd_sample *s) {
	return pd_sample_parse(&r->events, rec, s, input_of(r, rec));
}

// Where counter id's last value read (by thread tid) is kept: 0 before
// the first, as perf starts from.
static uint64_t *read_last(struct pd_perf *r, uint64_t id, bool per_thread,
		uint32_t tid) {
	uint64_t *n = pd_map64_find(&r->read_ids, id + 1);
	if (!n) {
		pd_xgrow(&r->read_last, &r->read_last_cap, r->nread_last + 1,
			sizeof(*r->read_last));
		r->read_last[r->nread_last] = (struct pd_map64){0};
		pd_map64_insert(&r->read_ids, id + 1, r->nread_last++);
		n = pd_map64_find(&r->read_ids, id + 1);
	}
	struct pd_map64 *m = &r->read_last[*n];
	uint64_t key = per_thread ? (uint64_t)tid + 1 : 1;
	uint64_t *last = pd_map64_find(m, key);
	if (!last) {
		pd_map64_insert(m, key, 0);
		last = pd_map64_find(m, key);
	}
	return last;
}

bool pd_perf_read_sample(struct pd_perf *r, const struct pd_sample *s,
		size_t k, struct pd_sample *out) {
	const uint8_t *v = s->read + 8 * (size_t)s->read_each * k;
	uint64_t value = pd_get_u64(v), id = pd_get_u64(v + 8 * s->read_id);
	int ev = id == UINT64_MAX ? -1 : pd_events_find(&r->events, id);
	if (ev < 0) {
		return false;
	}
	// As perf: per thread when the sampled event is inherited and its
	// samples name their thread (perf 6.12 on records such groups so).
	const struct pd_event *e = &r->events.v[s->event];
	bool per_thread = (e->flags & PD_ATTR_INHERIT)
		&& (e->sample_type & PD_SAMPLE_TID);
	uint64_t *last = read_last(r, id, per_thread, s->tid);
	uint64_t period = value - *last; // the first: all it counted
	*last = value;
	if (period == 0) {
		return false;
	}
	*out = *s;
	out->event = ev;
	out->id = id;
	out->period = period;
	out->read = NULL;
	out->nread = 0;
	return true;
}

bool pd_perf_incomplete(const struct pd_perf *r, bool *unfinished,
		uint64_t *off) {
	*unfinished = r->h && pd_header_unfinished(r->h);
	*off = UINT64_MAX;
	uint64_t at;
	if (r->nfiles && r->files[0].st && pd_stream_unended(r->files[0].st,
			&at)) {
		*off = at;
	}
	return *unfinished || *off != UINT64_MAX;
}

// ---- facts ----

size_t pd_perf_nevents(const struct pd_perf *r) {
	return r->events.n;
}

struct pd_event *pd_perf_event(struct pd_perf *r, size_t i) {
	return &r->events.v[i];
}

const char *pd_perf_osrelease(const struct pd_perf *r) {
	return pd_header_osrelease(r->h);
}

const char *pd_perf_arch(const struct pd_perf *r) {
	return pd_header_arch(r->h);
}

uint64_t pd_perf_pos(const struct pd_perf *r) {
	uint64_t pos = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		pos += pd_input_pos(r->files[i].in);
	}
	return pos;
}

uint64_t pd_perf_total(const struct pd_perf *r) {
	uint64_t total = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		uint64_t size = pd_input_size(r->files[i].in);
		if (size == 0 && !pd_input_seekable(r->files[i].in)) {
			return 0; // a stream: unknown
		}
		total += size;
	}
	return total;
}

uint64_t pd_perf_unknown_records(const struct pd_perf *r) {
	return r->unknown;
}

void pd_perf_set_buildid_callback(struct pd_perf *r, pd_perf_buildid_fn fn,
		void *arg) {
	pd_header_set_buildid_callback(r->h, fn, arg);
}

void pd_perf_set_release_callback(struct pd_perf *r, pd_perf_release_fn fn,
		void *arg) {
	pd_header_set_release_callback(r->h, fn, arg);
}

void pd_perf_set_tracing_callback(struct pd_perf *r, pd_perf_tracing_fn fn,
		void *arg) {
	pd_header_set_tracing_callback(r->h, fn, arg);
}
