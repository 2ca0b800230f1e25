"""Run the application bot alone: `python -m services.application_bot`."""

from infra.entrypoint import serve
from services.application_bot.app import NAME, build
from services.application_bot.settings import ApplicationBotSettings

if __name__ == "__main__":
    serve(NAME, ApplicationBotSettings, build)
