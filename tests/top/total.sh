pd-top --sort=total --format=tsv folded/top-calls.folded
