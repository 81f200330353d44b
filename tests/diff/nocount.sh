pd-diff - folded/after.folded < folded/nocount.folded
