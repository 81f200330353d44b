# Every prefix of a good report, and the report with each byte in turn
# replaced: pd-svg exits 0 or 65 (with a "pd-svg: FILE:LINE: " message).
d=$(mktemp -d); n=$(wc -c < folded/runs-report.json); i=0; bad=0
while [ $i -lt "$n" ]; do
	head -c $i folded/runs-report.json > "$d/r.json"
	pd-svg --report "$d/r.json" folded/runs.diff >/dev/null 2>"$d/err"; st=$?
	[ $st = 65 ] && grep -q "^pd-svg: $d/r.json:[0-9]*: " "$d/err" || bad=$((bad + 1))
	i=$((i + 29))
done
python3 - folded/runs-report.json "$d" <<'PY' || bad=$((bad + 1))
import subprocess, sys
data = open(sys.argv[1], 'rb').read()
for i in range(0, len(data), 37):
    for b in (b'"', b'\xff', b'9'):
        path = sys.argv[2] + '/m.json'
        open(path, 'wb').write(data[:i] + b + data[i + 1:])
        r = subprocess.run(['pd-svg', '--report', path, 'folded/runs.diff'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode not in (0, 65) or (r.returncode == 65 and not r.stderr.startswith(('pd-svg: %s:' % path).encode())):
            print('byte', i, b, 'exit', r.returncode, r.stderr)
            sys.exit(1)
PY
rm -r "$d"; echo "prefixes and byte changes: $bad bad"
