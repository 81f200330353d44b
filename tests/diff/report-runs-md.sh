# Hand computation: testdata/diff/README.md.
d=$(mktemp -d); pd-diff --alpha 0.25 --report "$d/r.md" folded/run-base1.folded folded/run-base2.folded -- folded/run-new1.folded folded/run-new2.folded >/dev/null
st=$?; cat "$d/r.md"; rm -r "$d"; exit $st
