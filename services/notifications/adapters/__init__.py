"""The channels' edges: an SMTP server, webhook receivers."""
