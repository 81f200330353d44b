# Nested matches (parse;parse, parse;alloc) count once per stack: 19 of 20.
pd-top --grep '^(parse|alloc)$' folded/top-calls.folded
