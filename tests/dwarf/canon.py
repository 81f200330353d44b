#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""canon: reduce folded frame names to a form where pd-collapse's inline
output and perf script's can be compared despite perf 6.1's quirks:

  * perf names the function holding an address after its DWARF name when
    that differs from the ELF symbol (`beta` for `beta.constprop.0`,
    `__libc_start_main_impl` for `__libc_start_main@@GLIBC_2.34`) and
    marks it "(inlined)" although it is not;
  * perf names inlined functions by their short DW_AT_name (`sort<...>`),
    pd by their demangled linkage name (`std::sort<...>`);
  * perf sometimes repeats the caller of an inline group
    (`main;sort;main;__introsort_loop`);
  * glibc's DWARF names differ from its symbols: internal aliases
    (`__GI___snprintf` for `__snprintf`), and memcpy variants that are
    the memmove code (`__memcpy_avx512_unaligned_erms` at the address of
    `__memmove_avx512_unaligned_erms`).

  * without DWARF for a library, perf 6.1's inline lookup (addr2line)
    names an address after the first of its aliases in the symbol table
    (`snprintf`, `__libc_free`) and marks it "(inlined)", where its own
    symbol table, and pd, pick by perf's rule (`__snprintf`, `cfree`):
    with --aliases ELF..., names of functions at one address in those
    files' symbol tables (readelf's listing) all become the first name
    in byte order. The separate debug info of each (by build id), when
    installed, is listed too: its symbol table holds the local aliases
    (`___pthread_mutex_unlock`, `__fstatat64`) perf names from it.

Each frame loses `_[i]`, symbol versions, clone suffixes, template
arguments, parameter lists, namespaces and a `__GI_` prefix, and says
memmove for memcpy; a PLT stub is `@plt`; a frame equal to the one
before, or to the one two before (the repeated caller, unless it is an
unnamed [module] frame), is dropped.
usage: canon.py [--aliases ELF...] < in.folded > out.folded
"""
import os
import re
import subprocess
import sys

CLONE = re.compile(r'\.(constprop|isra|part|cold|lto_priv)(\.\d+)*')
ALIAS = {'__libc_start_main_impl': '__libc_start_main'}
MEMCPY = re.compile(r'(?<=^__)memcpy_')


def strip_groups(s, open_c, close_c):
    out, depth = [], 0
    for ch in s:
        if ch == open_c:
            depth += 1
        elif ch == close_c and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return ''.join(out)


def debug_file(path):
    """[path's separate debug info, found by its build id] or []: its
    symbol table names local aliases (___pthread_mutex_unlock,
    __fstatat64) that the stripped file's lacks."""
    out = subprocess.run(['readelf', '-nW', path], capture_output=True,
                         text=True).stdout
    m = re.search(r'Build ID: ([0-9a-f]{2})([0-9a-f]+)', out)
    if not m:
        return []
    debug = '/usr/lib/debug/.build-id/%s/%s.debug' % m.groups()
    return [debug] if os.path.exists(debug) else []


def aliases(paths):
    """name -> the first name in byte order of the functions at its
    address, from readelf's listing of each file's symbol tables."""
    groups = {}
    for path in [q for p in paths for q in [p] + debug_file(p)]:
        out = subprocess.run(['readelf', '-sW', '--dyn-syms', path],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) < 8 or f[3] not in ('FUNC', 'IFUNC') or f[6] == 'UND':
                continue
            key = (path, f[1])
            groups.setdefault(key, set()).add(f[7].split('@')[0])
    names = {}
    for group in groups.values():
        first = min(n[len('__GI_'):] if n.startswith('__GI_') else n
                    for n in group)
        for n in group:
            names[n] = first
    return names


ALIASES = {}


def canon(frame):
    f = frame.replace('_[i]', '')
    if f.endswith('@plt'):
        return '@plt' # perf 6.1 names some stubs `@plt` (compare --plt)
    f = f.split('@')[0] if not f.startswith('@') else f
    f = CLONE.sub('', f)
    f = strip_groups(f, '<', '>')
    f = strip_groups(f, '(', ')')
    f = f.rsplit('::', 1)[-1].strip()
    f = f[len('__GI_'):] if f.startswith('__GI_') else f
    f = MEMCPY.sub('memmove_', f)
    f = ALIAS.get(f, f)
    return ALIASES.get(f, f)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--aliases':
        ALIASES.update(aliases(sys.argv[2:]))
    counts = {}
    for line in sys.stdin:
        stack, _, n = line.rstrip('\n').rpartition(' ')
        frames = stack.split(';')
        out = frames[:1]
        for f in frames[1:]:
            c = canon(f)
            if out and out[-1] == c:
                continue
            # (Not an unnamed frame, [module]: a run of them around one
            # named frame is a real call chain, not a repeated caller.)
            if len(out) >= 3 and out[-2] == c and not c.startswith('['):
                continue
            out.append(c)
        key = ';'.join(out)
        counts[key] = counts.get(key, 0) + int(n)
    for k in sorted(counts):
        sys.stdout.write('%s %d\n' % (k, counts[k]))


main()
