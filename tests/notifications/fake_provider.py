"""A fake of a Twilio-style SMS provider's HTTP API, served on a local port: the only thing faked.

It honours the `Idempotency-Key` header as such providers do: a repeat with a known key answers the first
message's sid and delivers nothing. `requests` logs every call; `deliveries` what reached a phone.
"""

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeProvider:
    delay: float = 0.0
    refuse_numbers: set[str] = field(default_factory=set)
    fail_next: int = 0  # answer this many requests with 503 first
    requests: list[dict] = field(default_factory=list)
    deliveries: list[dict] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "FakeProvider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                key = self.headers.get("Idempotency-Key", "")
                status, answer = provider.handle(self.path, self.headers.get("Authorization", ""), form, key)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # a dispatcher sends a batch's messages at once, as to a real API

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path, authorization, form, key):
        to, body = form.get("To", [""])[0], form.get("Body", [""])[0]
        with self.lock:
            self.requests.append({"path": path, "auth": authorization, "to": to, "body": body, "key": key})
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"code": 20503, "message": "Service unavailable"}
            if to in self.refuse_numbers:
                return 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number."}
            if key and key in self.by_key:
                return 201, {"sid": self.by_key[key], "status": "queued"}
            sid = f"SM{len(self.deliveries) + 1:032d}"
            if key:
                self.by_key[key] = sid
            self.deliveries.append({"sid": sid, "to": to, "body": body, "key": key, "at": time.time()})
        if self.delay:
            time.sleep(self.delay)
        return 201, {"sid": sid, "status": "queued"}
