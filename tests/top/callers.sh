# Direct recursion (parse;parse) is folded: main calls parse, parse calls lex.
pd-top --callers parse --callees parse folded/top-calls.folded
