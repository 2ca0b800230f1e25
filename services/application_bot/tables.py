"""Tables of the application bot service."""
