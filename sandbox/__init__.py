"""Stand-ins for what cannot run here: the public job portals, and seed data."""
