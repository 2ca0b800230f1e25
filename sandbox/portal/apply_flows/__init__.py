"""Application flows of the sandbox portal beyond Greenhouse's form, and load-run helpers."""
