# pd-svg fish completion (placeholder)
