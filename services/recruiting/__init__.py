"""The employers' side: companies and their people, employer jobs, ranked candidates and each
candidate's place in a job's pipeline."""
