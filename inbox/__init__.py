"""Layer 2: everything that comes in — receive, verify, dedupe, dispatch, resolve, convert."""
