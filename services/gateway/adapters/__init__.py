"""The gateway service's edges."""
