d=$(mktemp -d); pd-diff --report "$d/r.txt" --report-format json folded/before.folded folded/after.folded >/dev/null
st=$?; grep -c '"name"' "$d/r.txt"; rm -r "$d"; exit $st
