pd-svg --off-cpu-colors ice folded/wall.folded
