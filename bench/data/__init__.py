"""Generators of realistic job postings for the discovery benchmark and the labelled dedup set."""
