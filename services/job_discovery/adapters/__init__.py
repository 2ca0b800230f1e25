"""The edges of job discovery: job-board APIs."""
