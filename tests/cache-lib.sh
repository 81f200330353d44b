# SPDX-License-Identifier: MIT
# Checks shared by the tests of one kind of cache entry (sourced). The test
# sets tmp, XDG_CACHE_HOME and fail=0, and defines run NAME ARGS... (a
# pd-collapse run, stdout into $tmp/NAME) and expect NAME WHAT (fail=1
# unless run NAME printed what it should).

# entries GLOB: how many files named GLOB the cache holds
entries() {
	find "$XDG_CACHE_HOME" -name "$1" 2>/dev/null | wc -l
}

# damaged ENTRY GOOD AT: ENTRY damaged five ways (cut short, a byte flipped
# in the middle and at byte AT of the header, emptied, garbage); each run
# ignores it, prints what it should and writes it again, byte for byte
# GOOD.
damaged() {
	for how in cut flip flip-header empty garbage; do
		size=$(wc -c <"$2")
		case $how in
		cut) head -c $((size - 5)) "$2" >"$1" ;;
		flip|flip-header)
			at=$((size / 2))
			[ $how = flip-header ] && at=$3
			cp "$2" "$1" &&
			printf '\377' | dd of="$1" bs=1 seek="$at" conv=notrunc \
				2>/dev/null ;;
		empty) : >"$1" ;;
		garbage) head -c 4096 /dev/urandom >"$1" ;;
		esac
		run "$how"
		expect "$how" "entry $how"
		cmp -s "$1" "$2" || { echo "entry $how: not written again"; fail=1; }
	done
}

# parallel GLOB: from an empty cache, six runs at once, then six more;
# each prints what it should, and one entry named GLOB is left, with no
# temporary file beside it.
parallel() {
	rm -rf "$XDG_CACHE_HOME"
	for i in 1 2 3 4 5 6; do
		run "par$i" &
	done
	wait
	for i in 1 2 3 4 5 6; do
		run "warmpar$i" &
	done
	wait
	for i in 1 2 3 4 5 6; do
		expect "par$i" "parallel cold run $i"
		expect "warmpar$i" "parallel warm run $i"
	done
	[ "$(entries "$1")" = 1 ] ||
		{ echo "parallel runs: want 1 entry, have $(entries "$1")"; fail=1; }
	[ "$(entries "$1.*")" = 0 ] || { echo "temporary files left"; fail=1; }
}
