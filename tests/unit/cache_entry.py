# SPDX-License-Identifier: MIT
"""The persistent cache's entries of resolved addresses (symbols-cache.c)
as the unit tests read them: cache-table.py and aliases.py."""
import glob
import os

MAGIC = b'PDLOC\0\0\2'
COMPLETE_AT = 104  # struct header's complete flag (a _Static_assert there)


def env(cache, home):
    """The environment of a run with the cache in cache and a HOME of its
    own (perf's ~/.debug, which a recording beside the test may add to, is
    not tried), without debuginfod (which turns the cache off)."""
    e = dict(os.environ, XDG_CACHE_HOME=cache, HOME=home)
    e.pop('DEBUGINFOD_URLS', None)
    return e


def entries(cache):
    return glob.glob(os.path.join(cache, 'pd', '*.loc'))


def complete(entry):
    """Whether entry (its bytes) holds a symbol table."""
    return entry[:8] == MAGIC and len(entry) > COMPLETE_AT \
        and entry[COMPLETE_AT] == 1
