# _[i] dropped (hash_[i] and hash are one function), _[k] and [module] kept; "other" has no function.
pd-top -f tsv folded/top-marks.folded
