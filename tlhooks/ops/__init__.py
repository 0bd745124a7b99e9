"""Ops: find events, inspect them, replay what failed, purge what is done.

One implementation (``OpsService``) serves both ``tlhooks events ...`` and the admin HTTP API.
"""
