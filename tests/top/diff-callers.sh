pd-diff folded/top-before.folded folded/top-after.folded | pd-top --callers alloc --callees alloc -f tsv
