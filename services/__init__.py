"""JAMS services: each runs alone with `python -m services.<name>` or together in `jams run`."""
