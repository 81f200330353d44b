// SPDX-License-Identifier: MIT
#ifndef PD_ELF_INFLATE_H
#define PD_ELF_INFLATE_H

#include <stdbool.h>

// Returns a new descriptor (a memfd) for a copy of the 64-bit
// little-endian ELF file open on fd with its compressed (zlib or zstd)
// .debug_* sections inflated. Unless all is set, the sections pd never reads
// (.debug_line, location lists, macros) become empty SHT_NOBITS
// sections. Returns -1 when there is nothing to inflate or the file is
// not one this handles (malformed, 32-bit, corrupt stream), -2 when it
// could not make the copy (no memory or file descriptors); fd is left
// open and unmoved either way.
int pd_elf_inflate(int fd, bool all);

#endif
