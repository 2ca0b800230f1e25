"""Run the analytics service alone: `python -m services.analytics`."""

from infra.entrypoint import serve
from services.analytics.app import NAME, build
from services.analytics.settings import AnalyticsSettings

if __name__ == "__main__":
    serve(NAME, AnalyticsSettings, build)
