pd-svg --colors pink folded/simple.folded
