"""Quotas: the school policy, its calendar and periods, and each member's progress and standing."""
