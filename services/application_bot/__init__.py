"""The application bot service."""
