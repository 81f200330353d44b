# Hand computation: testdata/diff/README.md.
d=$(mktemp -d); pd-diff --alpha 0.25 --report "$d/r.json" folded/run-base1.folded folded/run-base2.folded -- folded/run-new1.folded folded/run-new2.folded >/dev/null
st=$?; cat "$d/r.json"; rm -r "$d"; exit $st
