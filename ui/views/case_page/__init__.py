"""The case page: one tab per part of a review, and the workflow steps the state allows."""
