# The merge of sorted files (with duplicates, prefixes, a tab, CRLF, an
# empty line, no final newline) gives what the sort of each file gives for the
# same lines out of order, two files or runs, with and without -n.
d=$(mktemp -d)
for f in folded/merge-a.folded folded/merge-b.folded folded/run-base1.folded folded/run-new1.folded; do
	sort -r "$f" > "$d/$(basename "$f")"
done
for o in "" -n; do
	pd-diff $o folded/merge-a.folded folded/merge-b.folded > "$d/merge.out"
	pd-diff $o "$d/merge-a.folded" "$d/merge-b.folded" > "$d/table.out"
	cmp "$d/merge.out" "$d/table.out" && echo "two files $o: agree"
	pd-diff $o folded/merge-a.folded folded/run-base1.folded -- folded/merge-b.folded folded/run-new1.folded > "$d/merge.out"
	pd-diff $o "$d/merge-a.folded" "$d/run-base1.folded" -- "$d/merge-b.folded" "$d/run-new1.folded" > "$d/table.out"
	cmp "$d/merge.out" "$d/table.out" && echo "runs $o: agree"
	pd-diff $o folded/merge-a.folded folded/merge-b.folded > "$d/merge.out"
	cat folded/merge-b.folded | pd-diff $o folded/merge-a.folded - > "$d/pipe.out"
	cmp "$d/merge.out" "$d/pipe.out" && echo "two files $o, a pipe: agree"
done
pd-diff folded/merge-a.folded folded/merge-b.folded
rm -r "$d"
