pd-top --callers main --callees parse folded/top-calls.folded
