"""A case through the process: the list, the page, workflow steps, agency requests, follow-up."""
