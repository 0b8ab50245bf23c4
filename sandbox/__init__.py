"""Local emulator of the YouTube Data API v3 and Google OAuth 2.0 (see sandbox/README.md)."""
