pd-top --by=line folded/top-calls.folded
