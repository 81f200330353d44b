pd-diff --report /nonexistent/r.json folded/before.folded folded/after.folded
