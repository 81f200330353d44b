pd-top --top 1.5 folded/top-calls.folded
pd-top --top -1 folded/top-calls.folded
