# Every long option in --help appears in the man page and all completions.
sh ../tests/svg/check-options.sh top
