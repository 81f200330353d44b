#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the whole test suite as CI does: installs dependencies (as root on
# Debian), then `meson test` in a -Dwerror=true build (build-ci), its live
# and DWARF suites again with the debug packages hidden (build-ci/nodebug),
# all of it in an ASan+UBSan build (build-asan) and the collapse, DWARF and
# live suites in a ThreadSanitizer build (build-tsan); it ends with
# "N passed, N failed, N skipped".
# Environment: PD_SKIP_DEPS=1 skips tests/deps.sh; PD_NO_ASAN=1 skips the
# sanitizer builds; PD_ROBUST_QUICK=0 runs the full corruption set there too,
# PD_ROBUST_TIMEOUT=SECONDS is each corrupted input's limit there (30);
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

# nodebug COMMAND...: runs COMMAND as on a machine without debug packages:
# glibc's separate debug info (/usr/lib/debug) and perf's build-id cache
# (~/.debug) hidden under empty tmpfs mounts in a private mount namespace.
# In a chroot, / is no mount point and unshare cannot make it private;
# there the tmpfs mounts stay in the namespace only if no mount is shared
# (else they would show through to the other namespaces): refused then.
nodebug() {
	mkdir -p /usr/lib/debug "$HOME/.debug" || return 1
	prop=private
	if ! unshare --mount --propagation private true 2>/dev/null; then
		unshare --mount --propagation unchanged \
			sh -c '! grep -q " shared:" /proc/self/mountinfo' || return 1
		prop=unchanged
	fi
	unshare --mount --propagation "$prop" sh -c 'mount -t tmpfs none /usr/lib/debug &&
		mount -t tmpfs none "$HOME/.debug" && exec "$@"' sh "$@"
}

status=0
logs=""	# BUILD/LOGBASE of every meson test run, for the summary
# run_tests BUILD LOGBASE [meson test options]
run_tests() {
	b=$1 base=$2
	shift 2
	logs="$logs $b/$base"
	meson test -C "$b" --print-errorlogs --logbase "$base" "$@" || status=1
}

echo "run-all: build-ci (-Dwerror=true)"
if setup build-ci -Dwerror=true && ninja -C build-ci; then
	run_tests build-ci testlog "$@"
	# The live and DWARF suites again, as most users' machines are.
	if [ "$(id -u)" = 0 ] && nodebug true 2>/dev/null; then
		echo "run-all: build-ci, live and DWARF suites without debug info" \
			"(/usr/lib/debug and ~/.debug hidden)"
		nodebug meson test -C build-ci --print-errorlogs --logbase nodebug \
			--suite live --suite dwarf "$@" || status=1
		logs="$logs build-ci/nodebug"
	else
		echo "run-all: cannot hide the debug info here (needs root, unshare" \
			"and private mounts): skipping the pass without it"
	fi
else
	echo "run-all: build-ci failed to build"
	status=1
	logs="$logs build-ci/testlog"
fi

if [ "${PD_NO_ASAN:-}" = 1 ]; then
	echo "run-all: PD_NO_ASAN=1: skipping the sanitizer builds"
else
	echo "run-all: build-asan (-Db_sanitize=address,undefined)"
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:print_summary=1
	# The sanitizers make each pd-collapse run ~5x slower: robust/collapse
	# runs its quick set (about 6000 inputs) here, the full set above. On
	# a slow 2-core machine that set took 605 s of robust/collapse's 900,
	# and one input 5 s (robust.py's limit for a hang) beside the other
	# tests; robust/collapse-read took 1170 s. Each input may take 30 s
	# here, and each test three times its limit.
	PD_ROBUST_QUICK=${PD_ROBUST_QUICK:-1}
	PD_ROBUST_TIMEOUT=${PD_ROBUST_TIMEOUT:-30}
	export ASAN_OPTIONS UBSAN_OPTIONS PD_ROBUST_QUICK PD_ROBUST_TIMEOUT
	if setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
			-Db_lundef=false && ninja -C build-asan; then
		run_tests build-asan testlog --timeout-multiplier 3 "$@"
	else
		echo "run-all: build-asan failed to build"
		status=1
		logs="$logs build-asan/testlog"
	fi

	# pd-collapse's loader thread works beside the reading thread;
	# pd-diff sorts and merges shuffled files on a thread per CPU.
	echo "run-all: build-tsan (-Db_sanitize=thread): collapse, DWARF, live and diff suites"
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
	export TSAN_OPTIONS
	if setup build-tsan -Dwerror=true -Db_sanitize=thread -Db_lundef=false &&
			ninja -C build-tsan; then
		run_tests build-tsan testlog --suite collapse --suite dwarf \
			--suite live --suite diff "$@"
	else
		echo "run-all: build-tsan failed to build"
		status=1
		logs="$logs build-tsan/testlog"
	fi
fi

# Summary from meson's JSON logs (one JSON object per line).
python3 - $logs <<'PY' || status=1
import json, os, sys
tot = {'passed': 0, 'failed': 0, 'skipped': 0}
for run in sys.argv[1:]:
    build, base = run.split('/')
    path = os.path.join(build, 'meson-logs', base + '.json')
    if not os.path.exists(path):
        print('%s: no test log' % run)
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
        run, n['passed'], n['failed'], n['skipped'],
        (' (' + ', '.join(failed) + ')') if failed else ''))
    for k in tot:
        tot[k] += n[k]
print('%d passed, %d failed, %d skipped' % (
    tot['passed'], tot['failed'], tot['skipped']))
sys.exit(1 if tot['failed'] else 0)
PY
exit $status
