// SPDX-License-Identifier: MIT
// Process and map timeline from COMM, FORK, EXIT, MMAP and MMAP2 records
// (layouts from include/uapi/linux/perf_event.h; rules from perf's machine.c).
#include "maps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "texts.h"
#include "alloc.h"
#include "bytes.h"
#include "hash.h"

struct thread {
	uint32_t tid, pid;
	const char *comm;
};

struct pd_maps {
	struct pd_symbols *syms;
	struct pd_texts *strings;
	struct thread *threads;
	size_t nthreads, tcap;
	struct pd_map64 thread_of; // tid + 1 -> thread number
	struct pd_proc **procs;
	size_t nprocs, pcap;
	struct pd_map64 proc_of;   // pid + 1 -> process number
};

struct pd_maps *pd_maps_create(struct pd_symbols *syms) {
	struct pd_maps *m = pd_xcalloc(1, sizeof(*m));
	m->syms = syms;
	m->strings = pd_texts_create();
	return m;
}

void pd_maps_destroy(struct pd_maps *m) {
	if (!m) {
		return;
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		free(m->procs[i]->maps);
		free(m->procs[i]);
	}
	free(m->procs);
	pd_map64_free(&m->proc_of);
	free(m->threads);
	pd_map64_free(&m->thread_of);
	pd_texts_destroy(m->strings);
	free(m);
}

// ---- threads ----

static struct thread *thread_get(struct pd_maps *m, uint32_t tid, bool create) {
	const uint64_t *i = pd_map64_find(&m->thread_of, (uint64_t)tid + 1);
	if (i) {
		return &m->threads[*i];
	}
	if (!create) {
		return NULL;
	}
	pd_xgrow(&m->threads, &m->tcap, m->nthreads + 1, sizeof(*m->threads));
	pd_map64_insert(&m->thread_of, (uint64_t)tid + 1, m->nthreads);
	m->threads[m->nthreads] = (struct thread){.tid = tid, .pid = tid};
	return &m->threads[m->nthreads++];
}

const char *pd_maps_comm(struct pd_maps *m, uint32_t pid, uint32_t tid) {
	struct thread *t = thread_get(m, tid, false);
	if (t && t->comm) {
		return t->comm;
	}
	char buf[32];
	// perf names the idle task; other unnamed threads are ":TID".
	int n = tid == 0 ? snprintf(buf, sizeof(buf), "swapper")
		: snprintf(buf, sizeof(buf), ":%d", (int)tid);
	const char *c = pd_texts_intern(m->strings, buf, (size_t)n);
	t = thread_get(m, tid, true);
	t->pid = pid;
	t->comm = c;
	return c;
}

// ---- processes and maps ----

struct pd_proc *pd_maps_proc(struct pd_maps *m, uint32_t pid) {
	const uint64_t *i = pd_map64_find(&m->proc_of, (uint64_t)pid + 1);
	if (i) {
		return m->procs[*i];
	}
	struct pd_proc *p = pd_xcalloc(1, sizeof(*p));
	p->pid = pid;
	pd_xgrow(&m->procs, &m->pcap, m->nprocs + 1, sizeof(*m->procs));
	pd_map64_insert(&m->proc_of, (uint64_t)pid + 1, m->nprocs);
	m->procs[m->nprocs++] = p;
	return p;
}

static size_t first_ending_after(const struct pd_proc *p, uint64_t addr) {
	size_t lo = 0, hi = p->nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->maps[mid].end <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

const struct pd_map *pd_proc_find(const struct pd_proc *p, uint64_t addr) {
	size_t i = first_ending_after(p, addr);
	if (i < p->nmaps && p->maps[i].start <= addr) {
		return &p->maps[i];
	}
	return NULL;
}

// Inserts nm, cutting away whatever part of older maps it covers.
static void insert_map(struct pd_proc *p, struct pd_map nm) {
	size_t i = first_ending_after(p, nm.start);
	size_t j = i;
	struct pd_map keep[2];
	size_t nkeep = 0;
	while (j < p->nmaps && p->maps[j].start < nm.end) {
		struct pd_map *e = &p->maps[j];
		if (e->start < nm.start) {
			keep[nkeep] = *e;
			keep[nkeep++].end = nm.start;
		}
		if (e->end > nm.end) {
			keep[nkeep] = *e;
			keep[nkeep].start = nm.end;
			keep[nkeep++].pgoff = e->pgoff + (nm.end - e->start);
		}
		j++;
		if (nkeep == 2) {
			break; // only one old map can straddle both ends
		}
	}
	// Replace maps[i, j) with keep-left, nm, keep-right.
	size_t nnew = nkeep + 1;
	pd_xgrow(&p->maps, &p->cap, p->nmaps - (j - i) + nnew, sizeof(*p->maps));
	memmove(p->maps + i + nnew, p->maps + j, (p->nmaps - j) * sizeof(*p->maps));
	p->nmaps = p->nmaps - (j - i) + nnew;
	size_t k = i;
	if (nkeep && keep[0].start < nm.start) {
		p->maps[k++] = keep[0];
	}
	p->maps[k++] = nm;
	for (size_t q = 0; q < nkeep; q++) {
		if (keep[q].start >= nm.end) {
			p->maps[k++] = keep[q];
		}
	}
	p->generation++;
}

static void copy_maps(struct pd_proc *dst, const struct pd_proc *src) {
	if (src->nmaps) {
		pd_xgrow(&dst->maps, &dst->cap, src->nmaps, sizeof(*dst->maps));
		memcpy(dst->maps, src->maps, src->nmaps * sizeof(*dst->maps));
	}
	dst->nmaps = src->nmaps;
	dst->generation++;
}

static bool apply_mmap(struct pd_maps *m, const struct pd_record *rec) {
	const uint8_t *p = rec->data;
	size_t name_off = rec->type == PD_REC_MMAP ? 40 : 72;
	if (rec->size <= name_off) {
		return false;
	}
	if (rec->type == PD_REC_MMAP2 && (rec->misc & PD_MISC_MMAP_DATA)) {
		return true; // data maps are not code
	}
	uint32_t pid = pd_get_u32(p + 8);
	uint64_t start = pd_get_u64(p + 16), len = pd_get_u64(p + 24);
	uint64_t pgoff = pd_get_u64(p + 32);
	char name[4096];
	size_t n = strnlen((const char *)p + name_off, rec->size - name_off);
	if (n >= sizeof(name)) {
		n = sizeof(name) - 1;
	}
	memcpy(name, p + name_off, n);
	name[n] = '\0';
	if (len == 0 || start + len < start) {
		return true;
	}
	uint16_t mode = rec->misc & PD_MISC_CPUMODE_MASK;
	struct pd_map map = {start, start + len, pgoff, NULL};
	if (mode == PD_MISC_KERNEL || mode == PD_MISC_GUEST_KERNEL) {
		// Kernel addresses are named from kallsyms by address alone.
		return true;
	}
	map.dso = pd_symbols_dso(m->syms, name, pid);
	if (rec->type == PD_REC_MMAP2 && (rec->misc & PD_MISC_MMAP_BUILD_ID)
			&& pd_dso_ident(map.dso)->kind == PD_DSO_FILE) {
		pd_symbols_set_build_id(m->syms, map.dso, p + 44,
			p[40] <= 20 ? p[40] : 20);
	}
	insert_map(pd_maps_proc(m, pid), map);
	return true;
}

bool pd_maps_apply(struct pd_maps *m, const struct pd_record *rec) {
	const uint8_t *p = rec->data;
	switch (rec->type) {
	case PD_REC_MMAP:
	case PD_REC_MMAP2:
		return apply_mmap(m, rec);
	case PD_REC_COMM: {
		if (rec->size < 17) {
			return false;
		}
		uint32_t pid = pd_get_u32(p + 8), tid = pd_get_u32(p + 12);
		size_t n = strnlen((const char *)p + 16, rec->size - 16);
		struct thread *t = thread_get(m, tid, true);
		t->pid = pid;
		t->comm = pd_texts_intern(m->strings, (const char *)p + 16, n);
		// An exec keeps the old image's maps, as perf does, until the new
		// image's maps replace them: a sample still inside execve
		// belongs to the old image.
		return true;
	}
	case PD_REC_FORK: {
		if (rec->size < 32) {
			return false;
		}
		uint32_t pid = pd_get_u32(p + 8), ppid = pd_get_u32(p + 12);
		uint32_t tid = pd_get_u32(p + 16), ptid = pd_get_u32(p + 20);
		struct thread *parent = thread_get(m, ptid, false);
		const char *comm = parent ? parent->comm : NULL;
		struct thread *t = thread_get(m, tid, true);
		t->pid = pid;
		t->comm = comm;
		if (pid != ppid && !(rec->misc & PD_MISC_FORK_EXEC)) {
			struct pd_proc *child = pd_maps_proc(m, pid);
			struct pd_proc *par = pd_maps_proc(m, ppid);
			copy_maps(child, par);
		}
		return true;
	}
	case PD_REC_EXIT:
		return rec->size >= 32;
	default:
		return true;
	}
}
