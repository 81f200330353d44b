pd-top --top 2 folded/top-calls.folded
pd-top -n 2 -f json folded/top-calls.folded
