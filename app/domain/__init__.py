"""Domain rules in plain Python: no SQLAlchemy, no Qt."""
