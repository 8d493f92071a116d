"""Chasing leads: what each lead owes for a position, as email drafts, sent only on request."""
