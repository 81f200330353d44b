pd-top --sort self-delta folded/top-calls.folded
