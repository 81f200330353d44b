pd-collapse src/fp-burn.c
