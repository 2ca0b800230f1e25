"""What every applier shares: the visit and its evidence, the page checks, filling, sending."""
