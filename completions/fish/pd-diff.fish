# pd-diff fish completion (placeholder)
