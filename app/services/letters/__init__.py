"""Letters for a case: what fits, the values, producing, approving, sending, the queue."""
