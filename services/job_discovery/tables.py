"""Tables of the job discovery service."""
