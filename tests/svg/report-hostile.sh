# Names as the report wrote them (\u escapes, ill-formed UTF-8 as U+FFFD)
# match the folded input's: <script>, ctl and bad frames coloured, others grey.
pd-svg --report reports/hostile-marked.json folded/hostile.diff | python3 ../tests/svg/frames.py
