# Rows with a total share of at least 30%: lex's 30.00 stays, eval's 25.00 goes.
pd-top --min-share 30 -f tsv folded/top-calls.folded
