pd-diff folded/top-before.folded folded/top-after.folded | pd-top -f json -g alloc
