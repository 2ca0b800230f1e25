"""`python -m sandbox.portal --port 8700`: serve the sandbox portal on localhost."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sandbox.generator import generate
from sandbox.portal.app import create_app
from sandbox.portal.jobs import SEED_JOBS
from sandbox.portal.mail import ImapMailer
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
    parser.add_argument("--generate-jobs", type=int, default=0, metavar="N",
                        help="serve N generated job posts instead of the seed (sandbox.generator)")
    parser.add_argument("--generate-candidates", type=int, default=200, metavar="N",
                        help="candidates the generated jobs are built around")
    parser.add_argument("--duplicate-share", type=float, default=0.3,
                        help="share of generated posts that repeat a job on a second board")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    parser.add_argument("--confirmation-imap-url", default=os.environ.get(
                            "JAMS_CONFIRMATION_IMAP_URL") or None,
                        help="append a confirmation e-mail for each submission to this "
                             "imap://user:password@host:port/folder (the dev IMAP server's)")
    parser.add_argument("--release-per-s", type=float, default=None, metavar="R",
                        help="list the jobs R a second, in order, from the first board listing "
                             "(a steady stream of new posts; default: all at once)")
    parser.add_argument("--log-level", default="info", help="uvicorn's log level")
    args = parser.parse_args(argv)
    jobs = SEED_JOBS
    if args.generate_jobs:
        jobs = tuple(generate(args.generate_jobs, args.generate_candidates,
                              duplicate_share=args.duplicate_share, seed=args.seed).posts)
    mailer = ImapMailer(args.confirmation_imap_url) if args.confirmation_imap_url else None
    if args.release_per_s is not None and args.release_per_s <= 0:
        parser.error("--release-per-s must be positive")
    app = create_app(SubmissionStore(args.submissions, on_add=mailer), jobs,
                     release_per_s=args.release_per_s)
    # Loopback only: the sandbox stands in for the public internet and is not for sharing.
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
