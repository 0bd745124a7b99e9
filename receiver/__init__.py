"""The HTTP edge: verifies, de-duplicates, stores and queues Twelve Labs webhooks."""
