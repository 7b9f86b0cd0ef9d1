"""Who may do what: users and sign-in, the audit log, retention and subject access."""
