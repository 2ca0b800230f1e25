"""Run job discovery alone: `python -m services.job_discovery`."""

from infra.entrypoint import serve
from services.job_discovery.app import build
from services.job_discovery.settings import JobDiscoverySettings

if __name__ == "__main__":
    serve("job_discovery", JobDiscoverySettings, build)
