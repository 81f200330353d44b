// SPDX-License-Identifier: MIT
// Folded-stack text reader: "stack count" lines, and lines with more counts
// ("stack before after" from pd-diff).
#ifndef PD_FOLDED_READ_H
#define PD_FOLDED_READ_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum pd_folded_flags {
	// Replace every "0x" + hex digits by "0x..." (like difffolded.pl -s).
	PD_FOLDED_STRIP_HEX = 1 << 0,
};

// The most counts a line may have.
#define PD_FOLDED_MAX_COUNTS 16

// Called once per non-empty line with its n counts; stack (len bytes, not
// NUL-terminated) and counts are only valid during the call.
typedef void pd_folded_fn(void *ctx, const char *stack, size_t len,
	const uint64_t *counts, size_t n);

// Reads folded lines from path ("-" = stdin). *ncounts (1 to
// PD_FOLDED_MAX_COUNTS) demands that many counts per line; 0 lets the first
// line decide between one and two (it is then set). Reports "path:line:
// why" via warnx and returns PD_ENOINPUT or PD_EDATA on failure.
enum pd_status pd_folded_read(const char *path, unsigned flags,
	size_t *ncounts, pd_folded_fn *fn, void *ctx);
// The same over the bytes buf[0, n), called name in messages. Without
// PD_FOLDED_STRIP_HEX the stacks fn gets point into buf.
enum pd_status pd_folded_read_mem(const char *name, const char *buf,
	size_t n, unsigned flags, size_t *ncounts, pd_folded_fn *fn, void *ctx);

#endif
