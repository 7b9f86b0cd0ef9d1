"""Persistence: SQLAlchemy 2.x models, engine set-up, units of work and migrations."""
