pd-top -f tsv - folded/top-before.folded < folded/top-after.folded
