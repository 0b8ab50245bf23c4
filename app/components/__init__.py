"""Reusable UI pieces: the page frame, stat cards, badges, tables."""
