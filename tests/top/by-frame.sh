pd-top -b frame -f tsv folded/top-calls.folded
