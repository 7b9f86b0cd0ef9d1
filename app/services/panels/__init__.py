"""Panel meetings, the panel pack and recommendation tracking."""
