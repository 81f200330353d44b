# Standard input is read from where it stands, as other filters read it:
# the line a script read off it first is not part of the profile (the
# output is stdin's, where standard input is the whole after.folded).
tmp=$(mktemp) || exit 99
{ echo 'header;line 5'; cat folded/after.folded; } > "$tmp"
{ read -r header; pd-diff folded/before.folded -; } < "$tmp"
status=$?
rm -f "$tmp"
exit $status
