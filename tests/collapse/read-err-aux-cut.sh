# fp.data with an AUXTRACE record added at the end of its data section,
# whose 4096-byte payload the data section's size counts but the file
# lacks: an error at the record, whether the file is mapped or read in
# blocks (PD_DEBUG_READ_BLOCK), as files of 64 MiB and up are.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 - perf/fp.data "$t/aux.data" <<'PY' || exit 99
import struct, sys
buf = bytearray(open(sys.argv[1], 'rb').read())
off, size = struct.unpack_from('<QQ', buf, 40)
# PERF_RECORD_AUXTRACE: header, payload size, offset, reference, idx,
# tid, cpu, reserved.
rec = struct.pack('<IHHQQQIIII', 71, 0, 48, 4096, 0, 0, 0, 0, 0, 0)
out = buf[:off + size] + rec
struct.pack_into('<Q', out, 48, size + len(rec) + 4096)
out[72:104] = bytes(32)  # no feature sections after the data
open(sys.argv[2], 'wb').write(out)
PY
cd "$t" || exit 99
pd-collapse -q aux.data >/dev/null
echo "mapped: exit $?"
PD_DEBUG_READ_BLOCK=700 pd-collapse -q aux.data >/dev/null
echo "read: exit $?"
