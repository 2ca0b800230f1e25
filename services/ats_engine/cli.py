"""`jams ats`: score one resume against one job; upload a resume version."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path

import typer
from pydantic import BaseModel

from infra.blobs import LocalBlobStore
from infra.clock import SystemClock
from infra.db import create_engine
from infra.resume_files import DocumentError, kind_of
from infra.uow import UnitOfWork
from services.ats_engine.embeddings import MODEL_NAME, VECTOR_CACHE, open_embedder
from services.ats_engine.engine import Engine
from services.ats_engine.intake import upload_resume
from services.ats_engine.parse_report import parse_report
from services.ats_engine.semantic import fit_texts, semantic_match
from services.ats_engine.settings import AtsSettings
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import WeightsSource


class JobFile(BaseModel):
    """A job given to `jams ats score` as JSON."""

    title: str
    company: str = ""
    location: str = ""
    description: str


ats_app = typer.Typer(help="The ATS engine: score and upload resumes", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@ats_app.command("score")
def score(
    resume: Path = typer.Option(..., help="Resume file: PDF, DOCX or UTF-8 text"),
    job: Path = typer.Option(..., help='Job as JSON {"title","company","location","description"}'
                                       " or plain text (first line the title)"),
    embeddings: bool | None = typer.Option(
        None, "--embeddings/--no-embeddings",
        help="Semantic fit with the model (default: JAMS_EMBEDDINGS, else when installed)"),
    show_parse: bool = typer.Option(
        False, "--show-parse", help="Also print what was read from the resume and the post "
        "(roles with dates, years, degrees, skills, licences, work authorisation) to stderr"),
) -> None:
    """Print one pair's score, decision, breakdown and explanation as JSON."""
    settings = AtsSettings()
    use_model = settings.embeddings_enabled() if embeddings is None else embeddings
    engine = Engine(default_taxonomy(), settings.limits())
    weights = WeightsSource(settings.weights_file, settings.threshold_overrides()).current()
    try:
        content = resume.read_bytes()
        raw_job = job.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(str(exc))
    try:
        posting = JobFile.model_validate_json(raw_job)
    except ValueError:
        title, _, rest = raw_job.strip().partition("\n")
        posting = JobFile(title=title.strip(), description=rest)
    try:
        parsed = engine.parse_file(content, kind_of(resume.name),
                                   SystemClock().now().date())
    except DocumentError as exc:
        return _fail(f"{resume}: {exc}")
    requirements = engine.parse_job(posting.title, posting.description, posting.location)
    embedder = open_embedder(VECTOR_CACHE) if use_model else None
    fit = None
    if embedder is not None:
        texts = fit_texts(requirements, parsed.profile)
        fit = semantic_match(requirements, parsed.profile, embedder.embed(texts))
    if show_parse:
        typer.echo(parse_report(parsed.profile, requirements), err=True)
    outcome = engine.score(parsed, requirements, weights, fit)
    report = engine.report(parsed, requirements, outcome, weights)
    if embedder is not None:
        report["versions"]["embedding_model"] = MODEL_NAME
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


@ats_app.command("upload-resume")
def upload(
    candidate_id: uuid.UUID = typer.Option(..., "--candidate", help="The candidate's id"),
    file: Path = typer.Argument(..., help="Resume file: PDF, DOCX or UTF-8 text"),
) -> None:
    """Store the file as a new resume version and announce it (ResumeVersionCreated)."""
    settings = AtsSettings()
    try:
        content = file.read_bytes()
    except OSError as exc:
        return _fail(str(exc))

    async def store() -> str:
        db = create_engine(settings.database_url)
        try:
            uploaded = await upload_resume(
                UnitOfWork(db, SystemClock(), source="jams/ats_engine"),
                LocalBlobStore(settings.blob_dir), Engine(default_taxonomy(), settings.limits()),
                candidate_id, file.name, content)
        finally:
            await db.dispose()
        state = "new version" if uploaded.new else "already stored"
        return f"{uploaded.event.resume_version_id} ({state})"

    try:
        typer.echo(asyncio.run(store()))
    except DocumentError as exc:
        _fail(f"{file}: {exc}")
