"""The statutory figures, the partnership summary and the historical register import."""
