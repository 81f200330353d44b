# A pipe-mode stream whose AUXTRACE record claims a payload that wraps around.
python3 -c 'import struct,sys; sys.stdout.buffer.write(b"PERFILE2" + struct.pack("<QIHHQ", 16, 71, 0, 16, 2**64 - 16))' >"${TMPDIR:-/tmp}/pd-aux.data"
pd-collapse - <"${TMPDIR:-/tmp}/pd-aux.data"
