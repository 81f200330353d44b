#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""patch-header: copies a perf.data file with header fields overwritten,
for the error goldens and the robustness test.

usage: patch-header.py IN OUT [FIELD=VALUE ...]
FIELD is magic (8 characters) or one of the u64 fields of the file header
(perf.data-file-format.txt): size, attr_size, attrs.offset, attrs.size,
data.offset, data.size, event_types.offset, event_types.size; or
feature.BIT.offset / feature.BIT.size, the entry of feature BIT in the
feature section table, or feature.BIT.u64, the first u64 of that section;
or truncate=N to keep only the first N bytes.  VALUE is decimal or 0x hex.
"""
import struct
import sys

OFFSETS = {
    'size': 8, 'attr_size': 16, 'attrs.offset': 24, 'attrs.size': 32,
    'data.offset': 40, 'data.size': 48, 'event_types.offset': 56,
    'event_types.size': 64,
}


def feature_entry(buf, bit):
    """Offset of feature bit's {offset, size} entry in the section table
    after the data section (one entry per set bit, in bit order)."""
    bits = struct.unpack_from('<4Q', buf, 72)
    if not bits[bit // 64] >> (bit % 64) & 1:
        sys.exit('patch-header: feature %d is not set' % bit)
    k = sum(bits[b // 64] >> (b % 64) & 1 for b in range(bit))
    data_off, data_size = struct.unpack_from('<QQ', buf, 40)
    return data_off + data_size + 16 * k


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1], 'rb') as f:
        buf = bytearray(f.read())
    for arg in sys.argv[3:]:
        field, _, value = arg.partition('=')
        if field == 'magic':
            buf[0:8] = value.encode('ascii')[:8].ljust(8, b'\0')
        elif field == 'truncate':
            del buf[int(value, 0):]
        elif field.startswith('feature.'):
            _, bit, what = field.split('.')
            entry = feature_entry(buf, int(bit))
            if what == 'offset':
                struct.pack_into('<Q', buf, entry, int(value, 0))
            elif what == 'size':
                struct.pack_into('<Q', buf, entry + 8, int(value, 0))
            elif what == 'u64':
                off = struct.unpack_from('<Q', buf, entry)[0]
                struct.pack_into('<Q', buf, off, int(value, 0))
            else:
                sys.exit('patch-header: unknown field %s' % field)
        elif field in OFFSETS:
            struct.pack_into('<Q', buf, OFFSETS[field], int(value, 0))
        else:
            sys.exit('patch-header: unknown field %s' % field)
    with open(sys.argv[2], 'wb') as f:
        f.write(buf)


if __name__ == '__main__':
    main()
