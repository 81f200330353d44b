# pd-diff(1) completion for fish
complete -c pd-diff -s h -l help -d 'Show help and exit'
complete -c pd-diff -s n -l normalize -d 'Scale the first profile to the second total'
complete -c pd-diff -s s -l strip-hex -d 'Replace hex addresses by 0x...'
complete -c pd-diff -l version -d 'Print the version and exit'
