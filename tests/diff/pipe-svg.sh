pd-diff folded/before.folded folded/after.folded | pd-svg | python3 ../tests/svg/frames.py
