pd-top -f json -g '^(alloc|lex)$' folded/top-calls.folded
