# ToyPulse web machine (docs/DEPLOY.md). Build: docker build -t toypulse .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DASHBOARD_ENV=production DASHBOARD_DATA_DIR=/srv/toypulse/data

RUN useradd --system --create-home --home-dir /srv/toypulse toypulse
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dashboard ./dashboard
COPY app.py ./
COPY assets ./assets
COPY data/calendar ./data/calendar
COPY data/regions.csv data/aliases.csv ./data/
# Editable: the app finds assets/ and data/ beside the package (config.ROOT).
RUN pip install -e ".[postgres]"

RUN mkdir -p /srv/toypulse/build /srv/toypulse/data && chown -R toypulse /srv/toypulse
USER toypulse
EXPOSE 8000
# One process per container, threads for concurrent callbacks; run more containers to scale.
CMD ["gunicorn", "--workers", "2", "--threads", "8", "--keep-alive", "10", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "app:server"]
