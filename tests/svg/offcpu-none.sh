pd-svg --off-cpu-colors none folded/wall.folded | python3 ../tests/svg/frames.py
