"""Offline tools of the ATS engine: evaluation on labelled sets, calibration of the weights
file and the taxonomy build. The runtime (parse, score, decide, handlers) never imports them."""
