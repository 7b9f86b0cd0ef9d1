"""Taking applications: forms, imports, repeat checks, drafts."""
