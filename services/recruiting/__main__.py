"""`python -m services.recruiting`: the recruiting service alone."""

from infra.entrypoint import serve
from services.recruiting.app import NAME, build
from services.recruiting.settings import RecruitingSettings

if __name__ == "__main__":
    serve(NAME, RecruitingSettings, build)
