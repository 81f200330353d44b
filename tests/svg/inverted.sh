pd-svg -i --width 210 --height 20 folded/simple.folded | python3 ../tests/svg/frames.py
