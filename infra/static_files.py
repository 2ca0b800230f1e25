"""Files a service ships beside its code (page scripts, styles), served by name from a list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from importlib.resources.abc import Traversable

from fastapi import FastAPI
from fastapi.responses import Response

JS, CSS, PNG = "text/javascript", "text/css", "image/png"


def serve_files(app: FastAPI, prefix: str, root: Traversable, media_types: Mapping[str, str],
                *, cache_control: str = "no-cache") -> None:
    """GET `prefix/name` for each listed name under `root`; nothing else under it is served."""
    for name, media_type in media_types.items():
        app.add_api_route(f"{prefix}/{name}", _file_route(root / name, media_type, cache_control),
                          methods=["GET"], include_in_schema=False)


def _file_route(path: Traversable, media_type: str,
                cache_control: str) -> Callable[[], Awaitable[Response]]:
    async def serve_file() -> Response:
        return Response(path.read_bytes(), media_type=media_type,
                        headers={"Cache-Control": cache_control})

    return serve_file
