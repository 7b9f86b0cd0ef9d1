"""What every operation shares: the context, errors, concurrency checks, the audit writer."""
