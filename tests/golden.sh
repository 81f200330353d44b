#!/bin/sh
# Runs one golden CLI case: tests/<tool>/<case>.sh with the build dir on PATH,
# comparing stdout, stderr and exit status with testdata/<tool>/<case>.{out,err,exit}.
# PD_REGEN=1 rewrites the expected files instead.
set -u
builddir=$1 srcdir=$2 tool=$3 name=$4
script=$srcdir/tests/$tool/$name.sh
exp=$srcdir/testdata/$tool/$name
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
PATH=$builddir/src:$PATH
export PATH
cd "$srcdir/testdata" || exit 99
sh "$script" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/exit"
if [ "${PD_REGEN:-}" = 1 ]; then
	cp "$tmp/out" "$exp.out"
	if [ -s "$tmp/err" ]; then cp "$tmp/err" "$exp.err"; else rm -f "$exp.err"; fi
	if [ "$(cat "$tmp/exit")" != 0 ]; then cp "$tmp/exit" "$exp.exit"; else rm -f "$exp.exit"; fi
	exit 0
fi
fail=0
diff -u "$exp.out" "$tmp/out" || fail=1
if [ -f "$exp.err" ]; then diff -u "$exp.err" "$tmp/err" || fail=1
elif [ -s "$tmp/err" ]; then echo "unexpected stderr:"; cat "$tmp/err"; fail=1; fi
want=0; [ -f "$exp.exit" ] && want=$(cat "$exp.exit")
got=$(cat "$tmp/exit")
[ "$want" = "$got" ] || { echo "exit status $got, expected $want"; fail=1; }
exit $fail
