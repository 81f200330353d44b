pd-top folded/top-calls.folded folded/nocount.folded
