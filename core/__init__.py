"""Layer 0: settings, database set-up, ids, the durable job queue, clock and errors."""
