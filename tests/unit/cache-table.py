#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A complete cache entry (one that holds a binary's symbol table, see
# src/lib/symbols-cache.c) names addresses it was not written with as
# loading the binary does. For libstdc++ (C++: aliases of mangled names
# tied at an address, name@plt entries) and libc (IFUNC PLT entries,
# aliases), with --no-inline, the offsets around every symbol's start and
# end (readelf's) and in every PLT entry are split in two halves, every
# other symbol or entry in each: a run
# over the first half writes the entry, a run over the second must print
# what a run without the cache prints, and must not write the entry again
# (so it named them from the table: a load would have noted them). The
# same with inline frames where the library has no DWARF.
# usage: cache-table.py SYMBOLIZE_TOOL  (exit 0 pass, 1 fail, 77 skip)
import os
import re
import shutil
import subprocess
import sys
import tempfile

import cache_entry

tool = sys.argv[1]


def libs():
    """The paths of libstdc++.so.6 and libc.so.6, as ldconfig lists them."""
    out = ''
    for ldconfig in ('ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig'):
        try:
            out = subprocess.run([ldconfig, '-p'], capture_output=True,
                                 text=True).stdout
            break
        except OSError:
            pass
    found = {}
    for line in out.splitlines():
        m = re.match(r'\s*(libstdc\+\+\.so\.6|libc\.so\.6) \(([^)]*)\) => (.*)',
                     line)
        if m and ('x86-64' in m.group(2) or 'AArch64' in m.group(2)):
            found.setdefault(m.group(1), m.group(3))
    return [found[k] for k in ('libstdc++.so.6', 'libc.so.6') if k in found]


def readelf(*args):
    return subprocess.run(['readelf', '-W', *args], capture_output=True,
                          text=True, check=True).stdout


def offsets(path):
    """Offsets around symbols and PLT entries in executable segments, in
    groups: a symbol's, a PLT entry's."""
    segs = []
    for line in readelf('-l', path).splitlines():
        f = line.split()
        if f and f[0] == 'LOAD' and 'E' in ''.join(f[6:-1]):
            segs.append((int(f[1], 16), int(f[2], 16), int(f[5], 16)))

    def off(vaddr):
        for o, v, size in segs:
            if v <= vaddr < v + size:
                return vaddr - v + o
        return None

    groups = {}
    for line in readelf('-s', '--dyn-syms', path).splitlines():
        f = line.split()
        if len(f) < 8 or f[3] not in ('FUNC', 'IFUNC', 'NOTYPE') \
                or f[6] == 'UND' or not re.fullmatch('[0-9a-f]+', f[1]):
            continue
        start = int(f[1], 16)
        size = int(f[2], 0) if f[2].isdigit() else int(f[2], 16)
        g = groups.setdefault(start, set())
        for a in (start - 1, start, start + 1, start + size - 1,
                  start + size):
            o = off(a)
            if o is not None:
                g.add(o)
    for line in readelf('-S', path).splitlines():
        m = re.search(r'\] (\.plt(?:\.sec|\.got)?)\s+\S+\s+([0-9a-f]+) '
                      r'([0-9a-f]+) ([0-9a-f]+)', line)
        if m:
            o, size = int(m.group(3), 16), int(m.group(4), 16)
            for e in range(o, o + size, 16):
                groups.setdefault(-e - 1, set()).update(range(e, e + 16, 4))
    return [sorted(groups[k]) for k in sorted(groups)]


def has_dwarf(path):
    return '.debug_info' in readelf('-S', path)


def symbolize(args, offs, cache):
    r = subprocess.run([tool, *args, '-'], input=''.join(
        '%#x\n' % o for o in offs), capture_output=True, text=True,
        env=cache_entry.env(cache, os.path.dirname(cache)))
    if r.returncode != 0:
        sys.exit('%s: exit %d: %s' % (' '.join(args), r.returncode,
                                      r.stderr))
    return r.stdout


def main():
    if not shutil.which('readelf'):
        print('SKIP: readelf not found')
        return 77
    found = libs()
    if not found:
        print('SKIP: neither libstdc++.so.6 nor libc.so.6 found')
        return 77
    bad = 0
    tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        for lib in found:
            # A copy: a recording beside this test may hard-link the
            # library into a ~/.debug, which changes nothing of a copy.
            path = os.path.join(tmp, os.path.basename(lib))
            shutil.copy2(lib, path)
            # Every other group in each half: the first run looks up
            # none of the second's symbols, whose alias choices then
            # wait in the table it writes.
            groups = offsets(path)
            first = sorted(set(o for g in groups[0::2] for o in g))
            second = sorted(set(o for g in groups[1::2] for o in g)
                            - set(first))
            modes = [['--no-inline']]
            if not has_dwarf(path):
                modes.append([])  # (a debug file found elsewhere: below)
            for mode in modes:
                cache = os.path.join(tmp, 'cache')
                shutil.rmtree(cache, ignore_errors=True)
                what = '%s %s' % (lib, ' '.join(mode) or '(inline frames)')
                symbolize(['--cache', *mode, path], first, cache)
                entries = cache_entry.entries(cache)
                if len(entries) != 1:
                    print('%s: %d entries written' % (what, len(entries)))
                    bad = 1
                    continue
                with open(entries[0], 'rb') as f:
                    entry = f.read()
                if not cache_entry.complete(entry):
                    if mode:
                        print('%s: the entry is not complete' % what)
                        bad = 1
                    continue  # (its debug file has DWARF)
                tried += 1
                warm = symbolize(['--cache', *mode, path], second, cache)
                none = symbolize(mode + [path], second, tmp + '/none')
                with open(entries[0], 'rb') as f:
                    again = f.read()
                if warm != none:
                    print('%s: named from the table, not as loaded:' % what)
                    w, n = warm.splitlines(), none.splitlines()
                    print('\n'.join('  table %s\n  load  %s' % x
                                    for x in zip(w, n) if x[0] != x[1])[:2000])
                    bad = 1
                elif again != entry:
                    print('%s: the entry was written again: the binary was '
                          'loaded' % what)
                    bad = 1
                else:
                    names = sum(1 for x in none.splitlines()
                                if not x.endswith(' -'))
                    print('ok: %s: %d offsets, %d named, from the table as '
                          'loaded' % (what, len(second), names))
    if not bad and not tried:
        print('SKIP: no complete entry written')
        return 77
    return bad


sys.exit(main())
