"""The gateway's own projections of other services' events, for the API to list."""
