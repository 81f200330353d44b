pd-svg --colors java folded/java.folded | python3 ../tests/svg/frames.py
