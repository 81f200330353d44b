# 100000 one-sample stacks of one frame each, whose names pd_hash with
# seed 0 (as tables of names once hashed) sends to one slot
# (hash-flood.py). Names hash with a secret seed now: well under a second
# (10 s allowed), where one slot took ~60 s on a 2-core machine. Expected: every name a
# frame of its own, of 1 sample, under "all" of 100000.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 ../tests/svg/hash-flood.py 100000 >"$t/f.folded" || exit 99
timeout 10 pd-svg --minwidth 0 "$t/f.folded" >"$t/f.svg"
echo "pd-svg: exit $?"
python3 ../tests/svg/frames.py <"$t/f.svg" | awk '
	/ .all. .all. / { print "all:", $(NF - 2), $(NF - 1), $NF }
	/ .flood_0_/ && / 1 samples, / { n++ }
	END { print n + 0, "frames named flood_0_... of 1 sample" }'
