"""Periodic jobs: the process's scheduler and one thin module per job (each calls core)."""
