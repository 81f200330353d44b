# Prints each long option of pd-$1 --help missing from its man page or a
# completion file, then "checked". Run from testdata/.
t=$1
for o in $(pd-$t --help | grep -oE -- '--[a-z-]+' | sort -u); do
	for f in ../man/pd-$t.1.scd ../completions/bash/pd-$t ../completions/zsh/_pd-$t; do
		grep -qF -- "$o" "$f" || echo "$o missing from $f"
	done
	grep -qF -e "-l ${o#--}" ../completions/fish/pd-$t.fish \
		|| echo "$o missing from fish/pd-$t.fish"
done
echo checked
