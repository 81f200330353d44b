pd-top -f tsv -g 'nosuch' folded/top-calls.folded
