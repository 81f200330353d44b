// SPDX-License-Identifier: MIT
// The perf.data reader's byte source: a regular file under 64 MiB mapped
// whole, or read in large blocks: a larger file (seeking where the
// reader asks) or a stream (pipe, stdin not at its start).
#ifndef PD_PERF_INPUT_H
#define PD_PERF_INPUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "status.h"

// Opaque; owns its file descriptor (except stdin) and mapping, and a
// reference to the block it reads into.
struct pd_input;

// Opens path (NULL: stdin), called name in messages (copied). Reports
// "name: why" on stderr and returns PD_ENOINPUT on failure.
enum pd_status pd_input_open(struct pd_input **out, const char *path,
	const char *name);
void pd_input_close(struct pd_input *in); // NULL is fine

// Makes n bytes from the current position available at *p and returns
// how many are: fewer only at the end of the input. *p stays valid until
// the next fill, seek or copy (until close on a mapped file; while held,
// see pd_input_hold).
size_t pd_input_fill(struct pd_input *in, size_t n, const uint8_t **p);
// Consumes n bytes that fill made available.
void pd_input_drop(struct pd_input *in, size_t n);
// Moves to offset off: forward on any input, anywhere in a mapped or
// seekable file. False if off lies behind us on a stream or past the end.
bool pd_input_seek(struct pd_input *in, uint64_t off);
// Reads [off, off + len) into a new buffer (caller frees); NULL if the
// input does not hold those bytes. Moves the position to off + len.
uint8_t *pd_input_copy(struct pd_input *in, uint64_t off, uint64_t len);

const char *pd_input_name(const struct pd_input *in);
uint64_t pd_input_pos(const struct pd_input *in);
uint64_t pd_input_size(const struct pd_input *in); // 0: unknown
bool pd_input_seekable(const struct pd_input *in);
// True when bytes handed out by fill stay valid until close, so that
// records can be kept in place with no reference to a block.
bool pd_input_mapped(const struct pd_input *in);
// Not mapped: a new reference to the block that holds the bytes the last
// fill made available (NULL before the first), which then stay valid
// until pd_block_unref: fill moves on to another block while it is held.
struct pd_block *pd_input_hold(struct pd_input *in);
// Nothing below min(low, position) is needed any more: gives those pages
// of a mapped file back (in large steps), so that memory stays bounded on
// big files. A page touched again is simply read again.
void pd_input_release(struct pd_input *in, uint64_t low);
// Every record was handed out: stops mapping pages ahead and gives back
// all of a mapped file's pages. Pointers into it stay valid (a page
// touched again is read again), but the file no longer adds to the RSS
// while the output is built.
void pd_input_rest(struct pd_input *in);

// Reports "name@0xOFFSET: message" on stderr.
void pd_input_error(const struct pd_input *in, uint64_t off, const char *fmt,
	...) __attribute__((format(printf, 3, 4)));
void pd_input_verror(const struct pd_input *in, uint64_t off,
	const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
