pd-svg --title "<t>&]]>" --notes "</desc><script>x</script>" folded/hostile.folded | python3 ../tests/svg/frames.py
