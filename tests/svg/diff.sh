pd-svg folded/diff.folded | python3 ../tests/svg/frames.py
