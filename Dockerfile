# A small image that runs the same command as everywhere else: python -m bot.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY conversations ./conversations
COPY storage ./storage
COPY jobs ./jobs
COPY ui ./ui
COPY usecases ./usecases
COPY ops ./ops
COPY config ./config
COPY domain ./domain
COPY emulator ./emulator
# pg_dump/pg_restore for `python -m bot backup`/`restore` on PostgreSQL (Debian 12: client 15,
# as deploy/docker-compose.yml's server; it must not be older than the server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN pip install . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin polmas \
 && mkdir -p /data && chown polmas /data && chmod 700 /data

USER polmas
VOLUME ["/data"]
# Database opens and passes quick_check (and, in webhook mode, the webhook port answers).
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
