#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""aliases: where several function symbols share an address, pd names it
as perf's symbol layer does (tools/perf/util/symbol.c, choose_best_symbol):
a sized symbol over a sizeless one, then non-weak over weak, global over
not global, fewer leading underscores, the longer name, else the first in
the table. perf's names are demangled by then (without parameters): the
underscores and lengths are those of the demangled names, which this file
gets from c++filt. The expected names come from this file's own reading of
the ELF symbol tables, checked on:
  * a program whose .symtab holds aliases of every kind (weak, local,
    underscored, longer, and mangled names whose order by length is not
    their demangled names' order);
  * that program again through a complete cache entry (one that holds
    its symbol table) written by a run that named main alone, so that
    every alias choice is made from the entry's table;
  * the C library as pd finds it here: the .symtab of its separate debug
    file when one is installed, else its .dynsym alone (the DWARF suite
    runs again with the debug packages hidden, which checks the other).
usage: aliases.py SYMBOLIZE_TOOL   (exit 0 pass, 1 fail, 77 skip, 99 setup)
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import cache_entry

STT_NOTYPE, STT_FUNC, STT_GNU_IFUNC = 0, 2, 10
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
SHN_UNDEF, SHN_ABS = 0, 0xfff1


def sections(data):
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    out = []
    for i in range(shnum):
        out.append(struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize))
    return out


def symbols(path, table):
    """(value, size, bind, index, name, type) of the function symbols of the
    SHT_SYMTAB (2) or SHT_DYNSYM (11) table, as pd takes them."""
    data = open(path, 'rb').read()
    secs = sections(data)
    out = []
    for sh in secs:
        if sh[1] != table:
            continue
        strtab = secs[sh[6]]
        for i in range(1, sh[5] // 24):
            name_off, info, _, shndx, value, size = struct.unpack_from(
                '<IBBHQQ', data, sh[4] + 24 * i)
            end = data.index(b'\0', strtab[4] + name_off)
            name = data[strtab[4] + name_off:end].decode('latin-1')
            kind = info & 15
            label = kind == STT_NOTYPE and shndx != SHN_ABS and \
                not name.startswith('$')
            if not name or shndx == SHN_UNDEF or \
                    (kind not in (STT_FUNC, STT_GNU_IFUNC) and not label):
                continue
            out.append((value, size, info >> 4, i, name, kind))
    return out


def underscores(name):
    return len(name) - len(name.lstrip('_'))


def demangle(names):
    """name -> its demangled form as perf shows it (no parameters, no
    implementation details), for the C++ and Rust names among names."""
    mangled = sorted({n for n in names if n[:2] in ('_Z', '_R')})
    if not mangled:
        return {}
    out = subprocess.run(['c++filt', '-p', '-i'], input='\n'.join(mangled),
                         capture_output=True, text=True, check=True).stdout
    return dict(zip(mangled, out.splitlines()))


def better(a, b, shown):
    """True if perf's rule prefers symbol a over symbol b."""
    if (a[1] > 0) != (b[1] > 0):
        return a[1] > 0
    if (a[2] == STB_WEAK) != (b[2] == STB_WEAK):
        return b[2] == STB_WEAK
    if (a[2] == STB_GLOBAL) != (b[2] == STB_GLOBAL):
        return a[2] == STB_GLOBAL
    na, nb = shown.get(a[4], a[4]), shown.get(b[4], b[4])
    if underscores(na) != underscores(nb):
        return underscores(na) < underscores(nb)
    return len(na) > len(nb)


def expected(syms, demangled=True):
    """address -> chosen name as shown, for functions' addresses with more
    than one symbol (code labels take part in the choice, as in perf);
    demangled False: names compared and shown as they are (--no-demangle)."""
    groups = {}
    for s in sorted(syms, key=lambda s: s[3]):
        groups.setdefault(s[0], []).append(s)
    groups = {a: g for a, g in groups.items()
              if len({s[4] for s in g}) > 1
              and any(s[5] in (STT_FUNC, STT_GNU_IFUNC) for s in g)}
    shown = demangle([s[4] for g in groups.values() for s in g]) \
        if demangled else {}
    starts = sorted({s[0] for s in syms})
    out = {}
    for addr, g in groups.items():
        best = g[0]
        for s in g[1:]:
            if better(s, best, shown):
                best = s
        out[addr] = shown.get(best[4], best[4])
        # The chosen symbol's size is the address's: just past it, where
        # a longer alias would still reach and no other symbol starts,
        # nothing is named.
        end = addr + best[1]
        if best[1] > 0 and any(s[1] > best[1] for s in g) and \
                not any(addr < a <= end for a in starts):
            out[end] = '-'
    return out


def file_offset(path, addr):
    data = open(path, 'rb').read()
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz, memsz, _ = struct.unpack_from(
            '<IIQQQQQQ', data, phoff + i * phentsize)
        if ptype == 1 and vaddr <= addr < vaddr + memsz:
            return addr - vaddr + off
    return None


def check(tool, path, want, what, opts=(), env=None):
    addrs = sorted(want)
    offs = [file_offset(path, a) for a in addrs]
    pairs = [(a, o) for a, o in zip(addrs, offs) if o is not None]
    # Each address twice: the second lookup finds the choice made.
    pairs = pairs + pairs
    got = subprocess.run([tool, *opts, path] + ['%#x' % o for _, o in pairs],
                         capture_output=True, text=True, check=True,
                         env=env).stdout
    bad = 0
    for (a, _), line in zip(pairs, got.splitlines()):
        name = line.split(' ', 1)[1].split(';')[0]
        if name != want[a]:
            bad += 1
            if bad <= 10:
                print('FAIL: %s: %#x: perf\'s rule gives %s, pd %s'
                      % (what, a, want[a], name))
    print('%s: %d addresses with aliases, %d named otherwise'
          % (what, len(pairs) // 2, bad))
    return bad == 0 and len(pairs) > 0


def check_cached(tool, path, want, what, tmp, opts=()):
    """check, with the names from a complete cache entry (one that holds
    the symbol table, src/lib/symbols-cache.c) written by a run that looked
    up main alone: the aliases' choices still wait in its table, and must
    come out as loading the program makes them, without loading it (the
    entry is not written again)."""
    cache = os.path.join(tmp, 'cache' + ''.join(opts))
    env = cache_entry.env(cache, tmp)
    main_at = [s[0] for s in symbols(path, 2) if s[4] == 'main']
    subprocess.run([tool, '--cache', *opts, path,
                    '%#x' % file_offset(path, main_at[0])],
                   capture_output=True, check=True, env=env)
    entries = cache_entry.entries(cache)
    entry = open(entries[0], 'rb').read() if len(entries) == 1 else b''
    if not cache_entry.complete(entry):
        print('FAIL: %s: no complete cache entry written (%d entries)'
              % (what, len(entries)))
        return False
    ok = check(tool, path, want, what, ['--cache', *opts], env)
    if open(entries[0], 'rb').read() != entry:
        print('FAIL: %s: the entry was written again: the program was '
              'loaded, not named from the table' % what)
        ok = False
    return ok


def build_id(path):
    out = subprocess.run(['readelf', '-n', path], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if 'Build ID:' in line:
            return line.split()[-1]
    return None


PROGRAM = r'''
int impl(int x) { return x * 3 + 1; }
int __impl(int x) __attribute__((alias("impl")));
int impl_weak_and_long(int x) __attribute__((weak, alias("impl")));
static int impl_local_longer(int x) __attribute__((alias("impl"), used));
int other(int x) { return x - 7; }
int other_longer_name(int x) __attribute__((alias("other")));
int _other(int x) __attribute__((alias("other")));
/* Mangled: the longer name is not the longer demangled one, and "zz" has
   the fewer underscores until "_ZN1a1bEv" is demangled to "a::b". */
int mangled(int x) __asm__("_Z11abcdefghijkv");
int mangled(int x) { return x ^ 5; }
int zz(int x) { return x * 5; }
__asm__(".globl _ZN1a1b1c1d1eEv\n.set _ZN1a1b1c1d1eEv, _Z11abcdefghijkv\n"
	".globl _ZN1a1bEv\n.set _ZN1a1bEv, zz\n");
/* Aliases of different sizes: "abcde" wins on its demangled name, and
   its 4 bytes, not the 32 of "a" (first in the table), are the function. */
__asm__(".text\n.globl _Z1av\n.type _Z1av,@function\n"
	".globl _Z5abcdev\n.type _Z5abcdev,@function\n_Z1av:\n_Z5abcdev:\n"
	"ret\n.fill 31,1,0x90\n.size _Z1av,32\n.size _Z5abcdev,4\n");
int main(int argc, char **argv) {
	return impl(argc) + other(argc) + mangled(argc) + zz(argc);
}
'''


def main():
    tool = sys.argv[1]
    cc = os.environ.get('CC', 'cc')
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'prog.c')
        prog = os.path.join(tmp, 'prog')
        open(src, 'w').write(PROGRAM)
        if subprocess.run([cc, '-O1', '-o', prog, src]).returncode != 0:
            print('skip: no C compiler')
            return 77
        if not shutil.which('c++filt'):
            print('skip: no c++filt (binutils) to demangle the expected names')
            return 77
        want = expected(symbols(prog, 2))
        if sorted(want.values()) != ['-', 'a::b', 'a::b::c::d::e', 'abcde',
                                     'impl', 'other_longer_name']:
            print('setup: the program\'s alias groups are not as written: %s'
                  % sorted(want.values()))
            return 99
        ok &= check(tool, prog, want, 'program .symtab')
        raw = expected(symbols(prog, 2), demangled=False)
        if sorted(raw.values()) != ['-', '_Z11abcdefghijkv', '_Z5abcdev',
                                    'impl', 'other_longer_name', 'zz']:
            print('setup: the raw names\' choice is not as written: %s'
                  % sorted(raw.values()))
            return 99
        ok &= check(tool, prog, raw, 'program .symtab, --no-demangle',
                    ['--no-demangle'])
        ok &= check_cached(tool, prog, want,
                           'program .symtab, from a cache entry', tmp)
        ok &= check_cached(tool, prog, raw, 'program .symtab, --no-demangle, '
                           'from a cache entry', tmp, ['--no-demangle'])

    libc = '/usr/lib/x86_64-linux-gnu/libc.so.6'
    if not os.path.exists(libc):
        print('no %s: the C library is not checked' % libc)
        return 0 if ok else 1
    bid = build_id(libc)
    debug = None
    if bid:
        for cand in ('/usr/lib/debug/.build-id/%s/%s.debug' % (bid[:2], bid[2:]),
                     os.path.expanduser('~/.debug/.build-id/%s/%s/debug'
                                        % (bid[:2], bid[2:]))):
            if os.path.exists(cand):
                debug = cand
                break
    if debug:
        ok &= check(tool, libc, expected(symbols(debug, 2)),
                    'libc (.symtab of %s)' % debug)
    else:
        ok &= check(tool, libc, expected(symbols(libc, 11)),
                    'libc (.dynsym only)')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
