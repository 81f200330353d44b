pd-svg --hash folded/java.folded > "${TMPDIR:-/tmp}/pd-svg-det.$$" && pd-svg --hash folded/java.folded | cmp - "${TMPDIR:-/tmp}/pd-svg-det.$$" && echo identical; rm -f "${TMPDIR:-/tmp}/pd-svg-det.$$"
