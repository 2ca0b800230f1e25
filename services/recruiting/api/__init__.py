"""The recruiting API under `/api/v1`: companies, employer jobs, ranked candidates."""
