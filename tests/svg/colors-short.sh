# -c takes the palette, like --colors: blue frames have red == green.
# (One count of 2^64 - 1 still fits.)
pd-svg -c blue folded/huge-count.folded | grep -oE 'fill="#([0-9a-f]{2})\1[0-9a-f]{2}"' | wc -l
