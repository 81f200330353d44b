pd-top -s name -f tsv folded/top-calls.folded
