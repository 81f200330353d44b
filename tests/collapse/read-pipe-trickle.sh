# pipe-mode.sh through a real pipe written 300 bytes at a time, as a live
# `perf record -o -` writes it: reads come back short (most of the time:
# on a busy machine the writer may get ahead), and a block that queued
# records still hold is read on after its bytes. The same output as
# pipe-mode.sh. (unit/held forces that path.)
python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 300):
    sys.stdout.buffer.write(data[i:i + 300])
    sys.stdout.buffer.flush()
    time.sleep(0.0005)
' perf/fp-pipe.data | pd-collapse --symfs bin -
