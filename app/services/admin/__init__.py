"""Opening and migrating the database, the council's settings."""
