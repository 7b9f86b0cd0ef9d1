"""Use cases: one function per user action, each one unit of work, plain data in and out."""
