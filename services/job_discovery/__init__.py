"""The job discovery service."""
