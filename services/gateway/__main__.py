"""`python -m services.gateway`: the gateway alone."""

from infra.entrypoint import serve
from services.gateway.app import NAME, build
from services.gateway.settings import GatewaySettings

if __name__ == "__main__":
    serve(NAME, GatewaySettings, build)
