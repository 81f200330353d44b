pd-top --grep x --callers main folded/top-calls.folded
