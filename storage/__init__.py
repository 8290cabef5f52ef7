"""Persistence for teachlog: typed models, the async engine, queries and migrations.

Knows nothing of chat platforms; `bot/` calls it, never the other way round.
"""
