pd-svg --factor 0.5 --countname ms folded/simple.folded | python3 ../tests/svg/frames.py
