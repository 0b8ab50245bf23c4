"""Reflex states, one per page, kept thin: they call core and hold display data only."""
