"""The application bot alone on the bus, for the crash test: `python -m tests.crash.bot_worker`.

The service's own entrypoint, started in a session of its own so the test can SIGKILL the bot
together with its Chromium, as a node failure would.
"""

from __future__ import annotations

from infra.entrypoint import serve
from services.application_bot.app import NAME, build
from services.application_bot.settings import ApplicationBotSettings

if __name__ == "__main__":
    serve(NAME, ApplicationBotSettings, build)
