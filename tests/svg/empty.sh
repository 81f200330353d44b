pd-svg < /dev/null | python3 ../tests/svg/frames.py
