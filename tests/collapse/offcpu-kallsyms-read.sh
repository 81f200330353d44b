# offcpu.sh with kallsyms read from a pipe (not mapped), out of order, with
# module tags, a hidden (zero) address, pages of data symbols after the
# text ones (the read text is compacted and its tail given back), a data
# symbol inside schedule (sampled) and no final newline: the same names as
# the mapped file gives.
(echo "0000000000000000 T zero_hidden"
	sort -r perf/offcpu.kallsyms | sed 's/$/\t[fakemod]/'
	awk 'BEGIN { for (i = 0; i < 400; i++)
		printf "ffffffff83%06x d pad_data_%d\n", i, i }'
	printf 'ffffffff82266251 d inside_schedule') |
	pd-collapse --symfs bin --kallsyms /dev/stdin --off-cpu perf/offcpu.data
