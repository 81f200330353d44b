# pd-collapse fish completion (placeholder)
