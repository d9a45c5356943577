# The clinic service image: web (gunicorn), Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_STATIC_ROOT=/app/static

WORKDIR /app

# Dependencies first (pinned in pyproject.toml), so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# collectstatic needs settings to load; these throwaway values are used for this one build step only.
RUN DJANGO_SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app clinic \
 && mkdir -p /app/.local /run/clinic \
 && chown -R clinic /app/.local /run/clinic

USER clinic
EXPOSE 8000

# The access log leaves out query strings (%(U)s is the path only): searches by name must not land in logs;
# its logger masks the token of a patient's link (/v/<token>) in that path.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--logger-class", "clinic.log_filters.GunicornAccessLogger", \
     "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)ss"]
