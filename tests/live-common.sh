# SPDX-License-Identifier: MIT
# Sourced by tests/live/live.sh and tests/dwarf/live.sh once they have set
# $work: checks for the tools, makes and enters the work directory, and
# defines skip, fail and perf_record.

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v perf >/dev/null 2>&1 || skip "perf not found on PATH"
command -v python3 >/dev/null 2>&1 || skip "python3 not found on PATH"
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC) on PATH"
rm -rf "$work" && mkdir -p "$work/bin" || exit 99
cd "$work" || exit 99

# perf_record OUT [perf record options] -- command: the command's output
# goes to record.out; skips when perf may not sample here.
perf_record() {
	out=$1
	shift
	if ! perf record -q -o "$out" "$@" >record.out 2>record.err; then
		cat record.err
		grep -qiE 'permission|paranoid|not supported|access|not permitted|not implemented|no such device' record.err &&
			skip "perf record cannot sample here (permissions, perf_event_paranoid or no perf events)"
		fail "perf record failed"
	fi
}
