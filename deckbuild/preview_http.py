"""The HTTP side of the live preview: files of the built site (index.html with livereload.js added),
the build status as JSON (/__status) and as Server-Sent Events (/__events), on 127.0.0.1 only."""
from __future__ import annotations

import hashlib
import json
import mimetypes
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import DeckError, Problem

HOST = "127.0.0.1"
LIVERELOAD = Path(__file__).with_name("livereload.js")
PLACEHOLDER = b"<!doctype html>\n<title>deckbuild</title>\n<body>\n<p>No deck has been built yet.</p>\n</body>\n"


def bind(port: int, preview) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 only: the deck is the instructor's draft, not the network's."""
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    try:
        return _Server((HOST, port), handler)
    except OSError as error:
        message = f"cannot serve here ({error.strerror}); pick another --port"
        raise DeckError(Problem(f"{HOST}:{port}", 0, message)) from None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that drops a connection (a reload mid-download) is normal, not a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """Files of the built site (index.html with livereload.js added), and the build status."""

    preview: "Preview"  # serve.Preview: status(), next_event(), out

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        port = self.server.server_address[1]
        if self.headers.get("Host", f"{HOST}:{port}") not in (f"{HOST}:{port}", f"localhost:{port}"):
            # A page from elsewhere that rebinds its own name to 127.0.0.1 must not read the deck.
            return self._send(403, "text/plain", b"forbidden host\n", send_body)
        path = urllib.parse.urlsplit(self.path).path
        if path == "/__events":
            return self._events()
        if path == "/__status":
            return self._send(200, "application/json", json.dumps(self.preview.status()).encode(), send_body)
        if path == "/__livereload.js":
            return self._send(200, "text/javascript", LIVERELOAD.read_bytes(), send_body)
        version = self.preview.status()["version"]  # read before the page: never newer than it
        site = self.preview.out.resolve()
        file = site_file(site, path)
        if file is None and path in ("/", "/index.html"):  # no good build yet: a page for the overlay
            return self._send(200, "text/html", with_livereload(PLACEHOLDER, version), send_body)
        if file is None:
            return self._send(404, "text/plain", b"not found\n", send_body)
        try:
            body = file.read_bytes()
        except OSError:  # a build swapped the site in between
            return self._send(404, "text/plain", b"not found\n", send_body)
        if file == site / "index.html":
            body = with_livereload(body, version)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self._send(200, kind, body, send_body)

    def _send(self, code: int, kind: str, body: bytes, send_body: bool) -> None:
        # The browser asks again on every use (no-cache), with the content's tag: a redrawn figure keeps
        # its name but not its tag, and what is unchanged comes back as a bodiless 304 that the browser
        # answers from its cache, already parsed and decoded (a reload after a save takes half the time).
        tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        unchanged = code == 200 and tag in self.headers.get("If-None-Match", "")
        self.send_response(304 if unchanged else code)
        if not unchanged:
            text = kind.startswith("text/") or kind == "application/json"
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if text else kind)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", tag)
        self.end_headers()
        if send_body and not unchanged:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the status now, then each time it changes, until the client goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        while (event := self.preview.next_event(seen, timeout=15.0)) is not None:
            stamp, status = event
            # A comment line when nothing changed: it finds clients that have gone away.
            message = f"data: {json.dumps(status)}\n\n" if stamp != seen else ": still here\n\n"
            seen = stamp
            try:
                self.wfile.write(message.encode())
                self.wfile.flush()
            except OSError:  # the tab was closed or reloaded
                return

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal shows builds and their problems, not every request


def site_file(site: Path, url_path: str) -> Path | None:
    """The file of the built site that a URL path names, or None if it is missing or would lie
    outside `site` (`..`, encoded or not, and symlinks leading out)."""
    parts = [part for part in urllib.parse.unquote(url_path).split("/") if part]
    if any(part == ".." or "\x00" in part for part in parts):
        return None
    try:
        file = site.joinpath(*parts)
        if url_path.endswith("/") or file.is_dir():
            file = file / "index.html"
        real = file.resolve(strict=True)  # follows symlinks, so the check below sees where they lead
        return real if real.is_relative_to(site) and real.is_file() else None
    except (OSError, RuntimeError):  # missing, a name too long, a symlink loop
        return None


def with_livereload(page: bytes, version: int) -> bytes:
    """The page with livereload.js added before </body>; `version` is the good build it shows."""
    tag = f'<script src="/__livereload.js" data-version="{version}"></script>\n'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag
