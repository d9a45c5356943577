"""Logging filters that keep patient data out of logs."""

import logging
import re


class DropQueryString(logging.Filter):
    """Cut the query string out of the dev server's request lines (`"GET /path?search=... HTTP/1.1"`).

    Searches by name or MRN travel in query strings; the path alone says what was asked for. gunicorn's
    access log leaves them out by its format (Dockerfile).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            first = record.args[0]
            if isinstance(first, str) and "?" in first:
                method_path, _, rest = first.partition("?")
                protocol = rest.rsplit(" ", 1)[1] if " " in rest else ""
                record.args = (f"{method_path} {protocol}".rstrip(), *record.args[1:])
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = record.msg.split("?", 1)[0]
        return True


class MaskPathSecrets(logging.Filter):
    """Mask the secret path segment of URLs that carry one (settings.LOG_SECRET_PATH_PREFIXES: a
    patient's visit link is `/v/<token>`), in every record: Django logs the path of a 404, a 403 or a
    CSRF refusal, and a token in a log would open the visit page.
    """

    def __init__(self, prefixes: list[str] | None = None):
        super().__init__()
        self.mask = path_masker(prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def path_masker(prefixes: list[str] | None = None):
    """A function that masks the secret segment after each of `prefixes` (default: the setting)."""
    if prefixes is None:
        from django.conf import settings

        prefixes = settings.LOG_SECRET_PATH_PREFIXES
    if not prefixes:
        return lambda text: text
    pattern = re.compile("(" + "|".join(re.escape(p) for p in prefixes) + r")[^/\s\"'?]+")
    return lambda text: pattern.sub("\\1…", text)


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is the production server only
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornAccessLogger(_GunicornLogger):
        """gunicorn's logger (Dockerfile: --logger-class), with the access log's path and request line
        masked like the application's logs: the access log would otherwise keep every link's token."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            mask = path_masker()
            # Every atom: the path (U), the request line (r) and the environ's ({raw_uri}e, ...).
            return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}
