"""Run the notifications service alone: `python -m services.notifications`."""

from infra.entrypoint import serve
from services.notifications.app import NAME, build
from services.notifications.settings import NotificationsSettings

if __name__ == "__main__":
    serve(NAME, NotificationsSettings, build)
