"""What the pages show, built from core's public models: rows of display strings, figures,
and the one formatting module (format.py). No database access and no Reflex state here."""
