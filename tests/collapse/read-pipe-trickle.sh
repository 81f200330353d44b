# pipe-mode.sh with the pipe written a few hundred bytes at a time, as a
# live `perf record -o -` writes it: reads come back short, and a block
# that queued records still hold is read on after its bytes. The same
# output as pipe-mode.sh.
python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 300):
    sys.stdout.buffer.write(data[i:i + 300])
    sys.stdout.buffer.flush()
    time.sleep(0.0005)
' perf/fp-pipe.data | pd-collapse --symfs bin -
