pd-top --callers alloc --callees alloc -f json folded/top-calls.folded
