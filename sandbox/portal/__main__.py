"""`python -m sandbox.portal --port 8700`: serve the sandbox portal on localhost."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sandbox.portal.app import create_app
from sandbox.portal.submissions import SubmissionStore

DEFAULT_PORT = 8700


def build_portal_app(submissions_file: Path | None = None) -> FastAPI:
    """The portal with the seed jobs, appending submissions to `submissions_file` if given."""
    return create_app(SubmissionStore(submissions_file))


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run uvicorn until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.portal",
        description="A local stand-in for Greenhouse's Job Board API and hosted job pages.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"TCP port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--submissions", type=Path, default=None,
                        help="also append each submission to this JSON-lines file")
    args = parser.parse_args(argv)
    app = build_portal_app(args.submissions)
    # Loopback only: the sandbox stands in for the public internet and is not for sharing.
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
