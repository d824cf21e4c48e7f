"""Repositories: every query for person-level data goes through a scope filter here."""
