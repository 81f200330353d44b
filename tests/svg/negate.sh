pd-svg --negate folded/diff.folded | python3 ../tests/svg/frames.py
