pd-top -f json folded/top-hostile.folded
pd-top -f json folded/top-hostile.folded | python3 -c 'import json, sys; json.load(sys.stdin); print("valid JSON")'
