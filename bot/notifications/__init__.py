"""Notifications: planning reminders, leaderboards and digests into the outbox, and delivering them."""
