"""Jobs employers post on the platform: their source key, and the platform page they are
applied for on when they have no form of their own.

The recruiting service announces them; the application bot delivers an application to such a
page inside the platform instead of opening it in a browser. Both read the page's base from
the same setting (`JAMS_EMPLOYER_APPLY_URL`).
"""

from __future__ import annotations

import uuid

EMPLOYER_SOURCE = "employer"
DEFAULT_APPLY_URL = "http://127.0.0.1:8000/jobs"


def source_key(job_id: uuid.UUID) -> str:
    """The job's key among the sources of canonical jobs."""
    return f"{EMPLOYER_SOURCE}:{job_id}"


def platform_apply_url(base: str, job_id: uuid.UUID) -> str:
    """The platform's page for applying to the job."""
    return f"{base.rstrip('/')}/{job_id}"


def applied_in_platform(apply_url: str, job_id: uuid.UUID, base: str) -> bool:
    """Whether an application to `job_id` at `apply_url` goes to the employer's pipeline on
    the platform: no portal, no form, nothing for a browser to open."""
    return apply_url == platform_apply_url(base, job_id)
