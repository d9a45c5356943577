"""Logging filters that keep patient data out of logs."""

import logging


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
