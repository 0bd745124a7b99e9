"""Helpers for tests: real processes (redis-server, uvicorn, celery) on free loopback ports."""
