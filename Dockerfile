# Ripple: the same steps as the README, in two stages.
#   docker build -t ripple .
#   docker run -p 8000:8000 -v ripple-data:/data ripple

# --- builder: install Ripple and its dependencies into a self-contained venv ---
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY prompts ./prompts
RUN pip install .

# --- runtime: the venv, a non-root user and a data volume ---
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RIPPLE_ENV=production \
    RIPPLE_DATABASE_URL=sqlite+aiosqlite:////data/ripple.db

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
