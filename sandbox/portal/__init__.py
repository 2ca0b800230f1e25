"""A stand-in for Greenhouse (its Job Board API and hosted application pages) and for Twilio's
SMS API, on localhost."""

from sandbox.portal.app import create_app
from sandbox.portal.jobs import SEED_JOBS, PortalJob
from sandbox.portal.submissions import Submission, SubmissionStore

__all__ = ["SEED_JOBS", "PortalJob", "Submission", "SubmissionStore", "create_app"]
