// SPDX-License-Identifier: MIT
// Folded-stack text reader: "stack count" and "stack before after" lines.
#ifndef PD_FOLDED_READ_H
#define PD_FOLDED_READ_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum pd_folded_flags {
	// Replace every "0x" + hex digits by "0x..." (like difffolded.pl -s).
	PD_FOLDED_STRIP_HEX = 1 << 0,
};

// Called once per non-empty line; stack (len bytes, not NUL-terminated)
// is only valid during the call. c1 is 0 for one-count lines.
typedef void pd_folded_fn(void *ctx, const char *stack, size_t len,
	uint64_t c0, uint64_t c1);

// Reads folded lines from path ("-" = stdin). *ncounts is 1 or 2 to demand
// that many counts per line, or 0 to let the first line decide (it is then
// set). Reports "path:line: why" via warnx and returns PD_ENOINPUT or
// PD_EDATA on failure.
enum pd_status pd_folded_read(const char *path, unsigned flags, int *ncounts,
	pd_folded_fn *fn, void *ctx);

#endif
