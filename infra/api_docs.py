"""The API's documentation page: Swagger UI from files installed with the package (no CDN at
run time) and started by a script file, so the page needs no inline script."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from infra.browser_policy import PAGE_POLICY
from infra.static_files import CSS, JS, PNG, serve_files

DOCS_PATH = "/docs"
_SWAGGER_FILES = {"swagger-ui-bundle.js": JS, "swagger-ui.css": CSS, "favicon.png": PNG}
# Swagger UI sets style attributes on its elements: its page alone allows inline styles.
DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def api_app(title: str) -> FastAPI:
    """A FastAPI app whose /docs is served from local files (and no ReDoc)."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None)
    page = _DOCS_PAGE.replace("__TITLE__", title)

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_POLICY})

    serve_files(app, f"{DOCS_PATH}/assets", files("fastapi_offline") / "static", _SWAGGER_FILES,
                cache_control="max-age=3600")
    serve_files(app, f"{DOCS_PATH}/assets", files("infra"), {"api_docs.js": JS})
    return app


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>__TITLE__ · API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/api_docs.js"></script>
</body>
</html>
"""
