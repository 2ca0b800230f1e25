"""Run the ATS engine alone: `python -m services.ats_engine`."""

from infra.entrypoint import serve
from services.ats_engine.app import build
from services.ats_engine.settings import AtsSettings

if __name__ == "__main__":
    serve("ats_engine", AtsSettings, build)
