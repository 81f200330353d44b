#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the whole test suite as CI does: installs dependencies (as root on
# Debian), then `meson test` in a -Dwerror=true build (build-ci) and in an
# ASan+UBSan build (build-asan), and ends with "N passed, N failed, N skipped".
# Environment: PD_SKIP_DEPS=1 skips tests/deps.sh; PD_NO_ASAN=1 skips the
# sanitizer build; PD_ROBUST_QUICK=0 runs the full corruption set there too;
# extra arguments go to `meson test` (e.g. --suite live).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

if [ "${PD_SKIP_DEPS:-}" = 1 ]; then
	echo "run-all: PD_SKIP_DEPS=1: not installing dependencies"
elif [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "run-all: not root on a Debian system: skipping tests/deps.sh"
else
	echo "run-all: installing dependencies (tests/deps.sh)"
	sh tests/deps.sh || { echo "run-all: tests/deps.sh failed"; exit 1; }
fi

# setup DIR [meson options]: configures DIR afresh.
setup() {
	dir=$1
	shift
	log=$(mktemp) || return 1
	if [ -d "$dir" ]; then
		meson setup --wipe "$dir" "$@" >"$log" 2>&1
	else
		meson setup "$dir" "$@" >"$log" 2>&1
	fi || { cat "$log"; rm -f "$log"; return 1; }
	rm -f "$log"
}

status=0
builds=build-ci
echo "run-all: build-ci (-Dwerror=true)"
if setup build-ci -Dwerror=true && ninja -C build-ci; then
	meson test -C build-ci --print-errorlogs "$@" || status=1
else
	echo "run-all: build-ci failed to build"
	status=1
fi

if [ "${PD_NO_ASAN:-}" = 1 ]; then
	echo "run-all: PD_NO_ASAN=1: skipping the sanitizer build"
else
	builds="$builds build-asan"
	echo "run-all: build-asan (-Db_sanitize=address,undefined)"
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:print_summary=1
	# The sanitizers make each pd-collapse run ~5x slower: robust/collapse
	# runs its quick set (about 1800 inputs) here, the full set above.
	PD_ROBUST_QUICK=${PD_ROBUST_QUICK:-1}
	export ASAN_OPTIONS UBSAN_OPTIONS PD_ROBUST_QUICK
	if setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
			-Db_lundef=false && ninja -C build-asan; then
		meson test -C build-asan --print-errorlogs "$@" || status=1
	else
		echo "run-all: build-asan failed to build"
		status=1
	fi
fi

# Summary from meson's testlog.json files (one JSON object per line).
python3 - $builds <<'PY' || status=1
import json, os, sys
tot = {'passed': 0, 'failed': 0, 'skipped': 0}
for build in sys.argv[1:]:
    path = os.path.join(build, 'meson-logs', 'testlog.json')
    if not os.path.exists(path):
        print('%s: no test log' % build)
        tot['failed'] += 1
        continue
    n = {'passed': 0, 'failed': 0, 'skipped': 0}
    failed = []
    for line in open(path):
        t = json.loads(line)
        r = t.get('result')
        if r in ('OK', 'EXPECTEDFAIL'):
            n['passed'] += 1
        elif r == 'SKIP':
            n['skipped'] += 1
        else:
            n['failed'] += 1
            failed.append(t.get('name', '?').split(' / ')[-1])
    print('%s: %d passed, %d failed, %d skipped%s' % (
        build, n['passed'], n['failed'], n['skipped'],
        (' (' + ', '.join(failed) + ')') if failed else ''))
    for k in tot:
        tot[k] += n[k]
print('%d passed, %d failed, %d skipped' % (
    tot['passed'], tot['failed'], tot['skipped']))
sys.exit(1 if tot['failed'] else 0)
PY
exit $status
