"""The employers' side: companies and their people, employer jobs, their questionnaires and the
answers to them, ranked candidates and each candidate's place in a job's pipeline."""
