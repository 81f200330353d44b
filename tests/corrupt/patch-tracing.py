#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""patch-tracing: copies a perf.data file (file or pipe mode) with its
tracing data (perf's trace-event-info layout: magic, version, endianness,
long size, page size, header_page, header_event, ftrace formats, systems
with event formats, kallsyms, printk formats, saved cmdlines) damaged, for
the error goldens and the robustness test. The blob is walked here on its
own, not with pd's reader.

usage: patch-tracing.py IN OUT EDIT...
EDIT is one of
  cut=N             the blob ends after N bytes (file mode: the feature
                    section's size; pipe mode: the record's size field)
  NAME=VALUE        overwrite the size or count NAME (as listed by
                    `patch-tracing.py IN --list`) with VALUE
  garbage=I         overwrite the text of the I-th event format with
                    bytes that are no format
  replace=I:OLD:NEW in the I-th event format, the first OLD becomes NEW
                    (of the same length)
  --list            print the sizes and counts found, then exit
"""
import random
import struct
import sys


def blob_place(buf):
    """(offset, size, where the size is kept, its width) of the blob."""
    if buf[8:16] == struct.pack('<Q', 16):  # pipe mode
        pos = 16
        while pos + 8 <= len(buf):
            typ, size = struct.unpack_from('<IxxH', buf, pos)
            if size < 8:
                break
            if typ == 66:
                n = struct.unpack_from('<I', buf, pos + 8)[0]
                return pos + size, n, pos + 8, 4
            pos += size
        sys.exit('patch-tracing: no HEADER_TRACING_DATA record')
    bits = struct.unpack_from('<4Q', buf, 72)
    if not bits[0] & 2:
        sys.exit('patch-tracing: no tracing data feature')
    data_off, data_size = struct.unpack_from('<QQ', buf, 40)
    entry = data_off + data_size + 16 * (bits[0] & 1)
    off, size = struct.unpack_from('<QQ', buf, entry)
    return off, size, entry + 8, 8


def fields(buf):
    """The blob's sizes and counts: [(name, file offset, width)] in order,
    and the (offset, length) of each event format's text."""
    base, size, _, _ = blob_place(buf)
    b = bytes(buf[base:base + size])
    out, texts = [], []
    pos = 10
    pos = b.index(b'\0', pos) + 1          # version
    pos += 2                               # endianness, long size
    out.append(('page_size', base + pos, 4))
    pos += 4 + 12                          # "header_page\0"
    out.append(('header_page.size', base + pos, 8))
    n = struct.unpack_from('<Q', b, pos)[0]
    pos += 8 + n + 13                      # "header_event\0"
    out.append(('header_event.size', base + pos, 8))
    n = struct.unpack_from('<Q', b, pos)[0]
    pos += 8 + n
    out.append(('ftrace.count', base + pos, 4))
    k = struct.unpack_from('<I', b, pos)[0]
    pos += 4
    for _ in range(k):
        n = struct.unpack_from('<Q', b, pos)[0]
        out.append(('format.%d.size' % len(texts), base + pos, 8))
        texts.append((base + pos + 8, n))
        pos += 8 + n
    out.append(('systems', base + pos, 4))
    nsys = struct.unpack_from('<I', b, pos)[0]
    pos += 4
    for i in range(nsys):
        pos = b.index(b'\0', pos) + 1
        out.append(('system.%d.count' % i, base + pos, 4))
        k = struct.unpack_from('<I', b, pos)[0]
        pos += 4
        for _ in range(k):
            n = struct.unpack_from('<Q', b, pos)[0]
            out.append(('format.%d.size' % len(texts), base + pos, 8))
            texts.append((base + pos + 8, n))
            pos += 8 + n
    out.append(('kallsyms.size', base + pos, 4))
    n = struct.unpack_from('<I', b, pos)[0]
    pos += 4 + n
    out.append(('printk.size', base + pos, 4))
    n = struct.unpack_from('<I', b, pos)[0]
    pos += 4 + n
    if pos + 8 <= len(b):
        out.append(('cmdlines.size', base + pos, 8))
    return out, texts


def garbage(buf, texts, i, seed=1):
    off, n = texts[i]
    rng = random.Random(seed)
    junk = b'name: \x01%\xff(format:\n\tfield:;;;' + bytes(
        rng.randrange(256) for _ in range(64))
    for j in range(n):
        buf[off + j] = junk[j % len(junk)]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1], 'rb') as f:
        buf = bytearray(f.read())
    out, texts = fields(buf)
    if sys.argv[2] == '--list':
        for name, off, width in out:
            v = int.from_bytes(buf[off:off + width], 'little')
            print('%s @%#x = %d' % (name, off, v))
        print('%d formats' % len(texts))
        return
    where = {name: (off, width) for name, off, width in out}
    for arg in sys.argv[3:]:
        name, _, value = arg.partition('=')
        if name == 'cut':
            _, _, at, width = blob_place(buf)
            buf[at:at + width] = int(value, 0).to_bytes(width, 'little')
        elif name == 'garbage':
            garbage(buf, texts, int(value, 0))
        elif name == 'replace':
            i, old, new = value.split(':')
            off, n = texts[int(i)]
            at = bytes(buf[off:off + n]).find(old.encode())
            if at < 0 or len(old) != len(new):
                sys.exit('patch-tracing: cannot replace %s' % value)
            buf[off + at:off + at + len(new)] = new.encode()
        elif name in where:
            off, width = where[name]
            buf[off:off + width] = (int(value, 0) % (1 << 8 * width)).to_bytes(
                width, 'little')
        else:
            sys.exit('patch-tracing: unknown edit %s' % arg)
    with open(sys.argv[2], 'wb') as f:
        f.write(buf)


if __name__ == '__main__':
    main()
