pd-top --grep '(' folded/top-calls.folded
pd-top --grep '\d+' folded/top-calls.folded
pd-top --grep '(?i)alloc' folded/top-calls.folded
