// SPDX-License-Identifier: MIT
// A sample's stack as code locations: callchain, then unwound user frames.
#include "sample-stack.h"

#include <err.h>
#include <stdlib.h>

#include "alloc.h"
#include "bytes.h"

struct pd_sample_stack {
	struct pd_locations *locs;
	struct pd_symbols *syms;
	size_t max_stack;
	struct pd_unwind *unwind;
	bool unwind_tried;
	struct pd_unwind_frame *frames;
	struct pd_sample_stack_stats st;
};

struct pd_sample_stack *pd_sample_stack_create(struct pd_locations *l,
		struct pd_symbols *syms, size_t max_stack) {
	struct pd_sample_stack *ss = pd_xcalloc(1, sizeof(*ss));
	ss->locs = l;
	ss->syms = syms;
	// perf script stops at 127 unwound frames (perf_event_max_stack).
	ss->max_stack = max_stack ? max_stack : 127;
	return ss;
}

void pd_sample_stack_destroy(struct pd_sample_stack *ss) {
	if (!ss) {
		return;
	}
	pd_unwind_destroy(ss->unwind);
	free(ss->frames);
	free(ss);
}

void pd_sample_stack_cache_save(struct pd_sample_stack *ss) {
	if (ss) {
		pd_unwind_cache_save(ss->unwind);
	}
}

const struct pd_sample_stack_stats *pd_sample_stack_stats(
		const struct pd_sample_stack *ss) {
	return &ss->st;
}

static uint32_t locate(struct pd_sample_stack *ss, struct pd_proc *proc,
		int cpumode, uint64_t ip, bool exact) {
	bool kernel = cpumode == PD_MISC_KERNEL
		|| cpumode == PD_MISC_GUEST_KERNEL;
	return pd_locations_locate(ss->locs, proc, kernel, ip, exact);
}

// Appends the user frames unwound from the sample's stack dump to out[n..].
static size_t unwind(struct pd_sample_stack *ss, struct pd_perf *r,
		struct pd_proc *proc, const struct pd_sample *s, uint32_t *out,
		size_t n) {
	if (!ss->unwind_tried) {
		ss->unwind_tried = true;
		ss->unwind = pd_unwind_create(ss->syms, pd_perf_arch(r));
		if (!ss->unwind) {
			warnx("%s: cannot unwind stack dumps of %s", pd_perf_name(r),
				pd_perf_arch(r));
		}
		ss->frames = pd_xmalloc(PD_STACK_MAX * sizeof(*ss->frames));
	}
	if (!ss->unwind) {
		return n;
	}
	size_t max = ss->max_stack;
	if (max > PD_STACK_MAX - n) {
		max = PD_STACK_MAX - n;
	}
	enum pd_unwind_end end;
	size_t k = pd_unwind_sample(ss->unwind, proc, s, ss->frames, max, &end);
	for (size_t i = 0; i < k; i++) {
		out[n++] = locate(ss, proc, PD_MISC_USER, ss->frames[i].pc,
			ss->frames[i].exact);
		ss->st.fp_frames += ss->frames[i].fp;
	}
	ss->st.unwound++;
	ss->st.unwind_ends[end]++;
	if (end != PD_UNWIND_DONE) {
		ss->st.truncated++;
	}
	return n;
}

size_t pd_sample_stack_get(struct pd_sample_stack *ss, struct pd_perf *r,
		struct pd_proc *proc, const struct pd_sample *s, uint32_t *out) {
	int mode = s->misc & PD_MISC_CPUMODE_MASK;
	bool dump = pd_unwind_has_dump(s);
	size_t n = 0;
	// Callchains list the leaf first. Frame-pointer return addresses are
	// looked up as they are, as perf does, so stacks name the same
	// functions as perf script's.
	bool user = false;
	if (s->ips) {
		uint64_t nr = s->nr;
		for (uint64_t i = 0; i < nr && n < PD_STACK_MAX;) {
			uint64_t ip = pd_get_u64(s->ips + 8 * i);
			if (ip >= PD_CONTEXT_MAX) {
				if (ip == PD_CONTEXT_KERNEL) {
					mode = PD_MISC_KERNEL;
				} else if (ip == PD_CONTEXT_USER) {
					mode = PD_MISC_USER;
				} else if (ip == PD_CONTEXT_HV) {
					mode = PD_MISC_HYPERVISOR;
				} else {
					return 0; // perf drops such chains
				}
				i++;
				continue;
			}
			// The addresses up to the next context marker, at once.
			uint64_t j = i + 1;
			while (j < nr && j - i < PD_STACK_MAX - n
					&& pd_get_u64(s->ips + 8 * j) < PD_CONTEXT_MAX) {
				j++;
			}
			bool kernel = mode == PD_MISC_KERNEL
				|| mode == PD_MISC_GUEST_KERNEL;
			pd_locations_locate_ips(ss->locs, proc, kernel,
				s->ips + 8 * i, (size_t)(j - i), out + n);
			n += (size_t)(j - i);
			user |= mode == PD_MISC_USER;
			i = j;
		}
	} else if (!dump || mode != PD_MISC_USER) {
		out[n++] = locate(ss, proc, mode, s->ip, true);
	}
	// --call-graph dwarf: the kernel gave the kernel part, the user part
	// comes from the stack dump (perf joins them the same way).
	if (!user && dump) {
		n = unwind(ss, r, proc, s, out, n);
	}
	if (n == 0 && mode == PD_MISC_USER && dump) {
		out[n++] = locate(ss, proc, mode, s->ip, true);
	}
	return n;
}
