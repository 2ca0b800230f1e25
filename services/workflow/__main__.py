"""`python -m services.workflow`: the workflow service alone."""

from infra.entrypoint import serve
from services.workflow.app import NAME, build
from services.workflow.settings import WorkflowSettings

if __name__ == "__main__":
    serve(NAME, WorkflowSettings, build)
