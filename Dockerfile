# Offramp Exchange: one image for every role.
#   offramp serve --host 0.0.0.0 --port 8000   (default CMD; HTTP API)
#   offramp worker                             (search indexer, outbox -> Meilisearch)
#   offramp migrate                            (one-shot: alembic upgrade head + vocabulary sync)
# Health probes are defined by the orchestrator (see docker-compose.yml), because the
# right probe depends on which role the container runs.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------
# builder: install the project and its dependencies into a self-contained venv.
# Every runtime dependency ships manylinux wheels for CPython 3.11, so no
# compiler is needed; if one ever is, install it here, never in the runtime stage.
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# (No PYTHONDONTWRITEBYTECODE here: pip precompiles the venv's bytecode, which
# speeds up start-up; at runtime nothing is written next to the code.)
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY . .
# A non-editable install: the packages land in the venv's site-packages, so the
# runtime stage needs only /opt/venv (plus the alembic files, copied below).
RUN pip install .

# ---------------------------------------------------------------------------
# runtime: slim base + venv + source tree, no build tools, non-root.
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="offramp-exchange" \
      org.opencontainers.image.description="Federated exchange of off-ramp program evaluations and lessons learned"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    OFFRAMP_DATA_DIR=/data

# tini: a real PID 1 that forwards SIGTERM and reaps zombies (extraction runs
# subprocesses), so `docker stop` shuts the API and the worker down cleanly.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 offramp \
 && useradd --system --uid 10001 --gid offramp --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin offramp \
 && mkdir -p /data \
 && chown offramp:offramp /data \
 && chmod 0750 /data

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# The source tree (minus .dockerignore), owned by root and read-only for the app user.
# It carries alembic.ini and migrations/, which `offramp migrate` reads from the
# working directory; the explicit lines below make the build fail loudly if they are missing.
COPY . /app/
COPY alembic.ini /app/alembic.ini
COPY migrations/ /app/migrations/

# Attachments and the node's signing key live here; share it between API replicas and the worker.
VOLUME ["/data"]

USER offramp:offramp

# Fail the build, not the deployment, if the console script cannot even start.
RUN offramp --help > /dev/null

EXPOSE 8000

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["offramp", "serve", "--host", "0.0.0.0", "--port", "8000"]
