sh ../tests/svg/check-options.sh collapse
