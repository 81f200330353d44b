# Untrusted names in both report formats.
d=$(mktemp -d); pd-diff --report "$d/r.json" folded/hostile.folded folded/simple.folded >/dev/null && pd-diff --report "$d/r.md" folded/hostile.folded folded/simple.folded >/dev/null
st=$?; cat "$d/r.json" "$d/r.md"; python3 -c 'import json, sys; json.load(open(sys.argv[1])); print("valid JSON")' "$d/r.json"; rm -r "$d"; exit $st
