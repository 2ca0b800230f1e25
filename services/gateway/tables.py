"""Tables of the gateway service."""
