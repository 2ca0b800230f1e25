"""Tables of the workflow service."""
