"""Tables of the ats engine service."""
