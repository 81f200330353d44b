pd-svg - folded/simple.folded < folded/simple.folded | python3 ../tests/svg/frames.py
