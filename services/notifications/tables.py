"""Tables of the notifications service."""
