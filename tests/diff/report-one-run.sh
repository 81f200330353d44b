# One run per side: the two-proportion test and its sampling-only caveat.
d=$(mktemp -d); pd-diff --report "$d/r.md" folded/before.folded folded/after.folded >/dev/null
st=$?; cat "$d/r.md"; rm -r "$d"; exit $st
