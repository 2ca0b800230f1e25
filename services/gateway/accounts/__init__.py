"""User accounts of the gateway: passwords, roles, refresh-token families, the auth routes."""
