"""Analytics: live operational figures from every event stream, the operators' dashboard."""
