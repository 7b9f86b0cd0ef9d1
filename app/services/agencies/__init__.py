"""The agency directory and linking 'reported to' names to it."""
