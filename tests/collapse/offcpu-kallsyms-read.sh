# offcpu.sh with kallsyms read from a pipe (not mapped), out of order, with
# module tags, a data symbol, a hidden (zero) address and no final newline:
# the same names as the mapped file gives.
(echo "0000000000000000 T zero_hidden"
	sort -r perf/offcpu.kallsyms | sed 's/$/\t[fakemod]/'
	printf 'ffffffff81000001 d data_sym') |
	pd-collapse --symfs bin --kallsyms /dev/stdin --off-cpu perf/offcpu.data
