pd-svg --reverse folded/wall.folded | python3 ../tests/svg/frames.py
