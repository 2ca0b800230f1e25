"""The ats engine service."""
