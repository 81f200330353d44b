pd-svg folded/wall.folded | python3 ../tests/svg/frames.py
