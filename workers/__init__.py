"""The Celery side: fetches task results and runs handlers, at least once."""
