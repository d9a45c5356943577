"""The two channels: SMS through a small backend interface, email through Django's email backends.

Every backend call carries an idempotency key (`Notification.idempotency_key`). A backend whose provider
honours it is `idempotent`: calling it twice with one key delivers once. The dispatcher relies on that to
resend safely after a worker died between the provider's answer and our commit; for a backend that is
not idempotent (SMTP) it marks such a row failed as "outcome unknown" instead of risking a duplicate.
"""

import base64
import json
import os
import re
import smtplib
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


class SendError(Exception):
    """The provider refused or could not be reached. `transient` errors are retried with backoff."""

    def __init__(self, code: str, detail: str = "", *, transient: bool):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.transient = transient


class SmsBackend:
    idempotent = True

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Send one SMS and return the provider's message id. Raises SendError."""
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    """Writes each message as JSON to SMS_FILE_DIR (`.local/outbox/` by default), one file per key.

    Idempotent the simple way: the file is named by the key and written atomically, so a repeat
    overwrites the same file with the same content.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"to": to, "body": body, "key": idempotency_key})
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "w") as handle:
            handle.write(payload)
        os.replace(tmp, self.directory / f"{idempotency_key}.json")
        return f"file:{idempotency_key}"


class HttpSmsBackend(SmsBackend):
    """A Twilio-style HTTP API: form POST to {base}/2010-04-01/Accounts/{sid}/Messages.json with basic
    auth, `To`, `From`, `Body`, and an `Idempotency-Key` header; the answer's JSON `sid` is the id.

    Exactly-once across a crash needs the provider to honour the key; with one that does not, the
    window for a duplicate is the few milliseconds between its answer and our commit.
    5xx, 429 and network errors are transient; other 4xx are permanent (bad number, blocked, ...).
    """

    def __init__(self):
        self.base_url = settings.SMS_HTTP_BASE_URL.rstrip("/")
        self.account = settings.SMS_HTTP_ACCOUNT_SID
        self.token = settings.SMS_HTTP_AUTH_TOKEN
        self.sender = settings.SMS_FROM_NUMBER
        self.timeout = settings.SMS_HTTP_TIMEOUT

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        url = f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account)}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        auth = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, scheme checked there
            url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {auth}",
                "Idempotency-Key": idempotency_key,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SendError("provider_unreachable", type(exc).__name__, transient=True) from exc
        except ValueError as exc:
            raise SendError("provider_bad_answer", "not JSON", transient=True) from exc
        sid = answer.get("sid")
        if not sid:
            raise SendError("provider_bad_answer", "no sid", transient=True)
        return str(sid)


def _http_error(exc: urllib.error.HTTPError) -> SendError:
    try:
        answer = json.loads(exc.read() or b"{}")
    except ValueError:
        answer = {}
    # The provider's own code and words, cut short and without the phone number some providers echo.
    words = PHONE_LIKE.sub("<number>", str(answer.get("message", "")))[:120]
    detail = f"HTTP {exc.code} {answer.get('code', '')} {words}".strip()
    transient = exc.code >= 500 or exc.code in (408, 429)
    return SendError("provider_error" if transient else "provider_refused", detail, transient=transient)


SMS_BACKENDS = {"file": FileSmsBackend, "http": HttpSmsBackend, "twilio": HttpSmsBackend}


def get_sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    cls = SMS_BACKENDS.get(name) or import_string(name)
    return cls()


def email_is_idempotent() -> bool:
    # SMTP has no idempotency key; a test or a custom backend may say otherwise.
    return bool(getattr(import_string(settings.EMAIL_BACKEND), "idempotent", False))


def send_email(*, to: list[str], subject: str, body: str, idempotency_key: str) -> str:
    """Send one email through Django's configured backend and return its Message-ID. Raises SendError."""
    message_id = f"<{idempotency_key}@{settings.NOTIFICATION_EMAIL_DOMAIN}>"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Message-ID": message_id},
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError("email_refused", "recipient refused", transient=False) from exc
    except smtplib.SMTPResponseException as exc:
        # 4xx is "try later", 5xx is "never".
        raise SendError("email_refused", f"SMTP {exc.smtp_code}", transient=exc.smtp_code < 500) from exc
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise SendError("email_unreachable", type(exc).__name__, transient=True) from exc
    return message_id
