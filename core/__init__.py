"""Domain rules as plain functions over a database session (no UI, no Google SDK)."""
