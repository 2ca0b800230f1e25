"""The workflow service's edges."""
