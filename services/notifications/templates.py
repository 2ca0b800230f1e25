"""Messages from Jinja2 templates: each file has a `subject` block and a `body` block."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2

from services.notifications.domain import Rendered

TEMPLATE_DIR = Path(__file__).parent / "templates"


class UnknownTemplate(KeyError):
    """A template name nobody wrote."""


class Templates:
    """Plain-text templates; a value a template needs but is not given is an error, not ''."""

    def __init__(self, folder: Path = TEMPLATE_DIR) -> None:
        # Plain text (e-mail bodies, webhook fields), so no HTML escaping; strict undefined.
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
            autoescape=False, keep_trailing_newline=False,
        )

    def render(self, name: str, values: Mapping[str, str]) -> Rendered:
        try:
            template = self._env.get_template(f"{name}.txt")
        except jinja2.TemplateNotFound:
            raise UnknownTemplate(name) from None
        try:
            context = template.new_context(dict(values))
            subject = "".join(template.blocks["subject"](context))
            body = "".join(template.blocks["body"](context))
        except jinja2.UndefinedError as exc:
            raise ValueError(f"template {name!r}: {exc.message}") from exc
        return Rendered(" ".join(subject.split()), body.strip() + "\n")
