"""The job service: normalise postings, fold them into canonical jobs, expire and log runs."""
