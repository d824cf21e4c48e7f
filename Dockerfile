# syntax=docker/dockerfile:1
#
# Level Up image: the API and the web app it serves at /.
#
#   docker build -t levelup .
#   docker run -p 8000:8000 \
#     -e DATABASE_URL=postgresql://user:password@db:5432/levelup \
#     -e LEVELUP_JWT_SECRET="$(openssl rand -base64 48)" \
#     -e LEVELUP_PSEUDONYM_SECRET="$(openssl rand -base64 48)" levelup
#
# Configuration and secrets come from the environment only (never baked into the
# image): DATABASE_URL (or LEVELUP_DATABASE_URL) points at PostgreSQL, and
# LEVELUP_JWT_SECRET and LEVELUP_PSEUDONYM_SECRET (>= 32 random bytes each) are
# required, since production mode refuses to start with the development secrets.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- builder ---
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# The venv lives at the same path in both stages (its scripts have absolute
# shebangs), and both stages use the same base image (same interpreter path).
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml ./
COPY api ./api
COPY domain ./domain
# Non-editable install: the runtime image needs no source tree.
RUN pip install . \
    && python -m compileall -q /opt/venv

# ---------------------------------------------------------------- web app ---
# The single-page app, built once; the API serves it at / from /app/frontend/dist (the
# default LEVELUP_WEB_DIST_DIR). Its client types come from the committed openapi.yaml.
FROM node:20-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY openapi.yaml /src/openapi.yaml
COPY frontend ./
RUN npm run build

# ------------------------------------------------------------------ final ---
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    LEVELUP_ENVIRONMENT=production

RUN groupadd --system --gid 10001 levelup \
    && useradd --system --uid 10001 --gid levelup --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin levelup

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
COPY --from=web /src/frontend/dist ./frontend/dist
# var/ is only used by the SQLite fallback when no DATABASE_URL is given.
RUN mkdir -p /app/var && chown levelup:levelup /app/var

USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]

CMD ["sh", "-c", "levelup migrate && levelup serve --host 0.0.0.0 --port 8000"]
