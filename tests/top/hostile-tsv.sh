pd-top -f tsv folded/top-hostile.folded
