# Ripple: the same steps as the README, in two stages, from the pinned lock file.
#   docker build -t ripple .
#   docker run -p 8000:8000 -e RIPPLE_DATABASE_URL=postgresql://... ripple
# For PostgreSQL, replicas and a reverse proxy together, see deploy/compose.yaml.
# The base image is pinned by digest; docs/operations.md says how to move it forward.

# --- builder: install Ripple and its dependencies into a self-contained venv ---
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY prompts ./prompts
RUN pip install --no-deps .

# --- runtime: the venv, a non-root user and a data volume ---
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RIPPLE_ENV=production

RUN useradd --system --create-home --home-dir /home/ripple --shell /usr/sbin/nologin ripple \
    && mkdir -p /data /app \
    && chown ripple:ripple /data /app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER ripple
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sh", "-c", "ripple migrate && exec ripple serve --host 0.0.0.0 --port 8000"]
