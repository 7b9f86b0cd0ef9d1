"""Qt item models: ids and a row cache, values fetched and formatted lazily."""
