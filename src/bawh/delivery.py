"""What ``bawh monitor`` (incident alerts) and ``bawh activate`` (audience changes) share to
deliver: a JSON POST tried again on transient failures, and a file replaced atomically."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message
from pathlib import Path
from typing import IO, Any

RETRIED_STATUSES = frozenset({408, 429})  # besides every 5xx
MAX_BACKOFF_SECONDS = 30.0


class DeliveryFailed(RuntimeError):
    """The endpoint refused the request, or did not take it within the attempts; or a file
    could not be written."""


def post_json(
    url: str,
    payload: Any,
    *,
    max_attempts: int,
    backoff_seconds: float,
    timeout_seconds: float,
    headers: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """POST `payload` as JSON. Connection errors, timeouts, 408, 429 and 5xx are tried again,
    up to max_attempts in all, waiting backoff_seconds, then twice as long each time (at most
    MAX_BACKOFF_SECONDS; `sleep` waits, time.sleep by default). A redirect is a refusal:
    urllib would follow a 301-303 to a POST with a GET, without the payload, and it would
    count as delivered. Any other refusal, or the last attempt failing, raises DeliveryFailed
    naming the URL, the status and the start of the answer's body."""
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    for attempt in range(1, max_attempts + 1):
        try:
            with _OPENER.open(request, timeout=timeout_seconds) as response:
                response.read()
            return
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", errors="replace")[:200]
            failure = f"{url} answered HTTP {error.code}: {body}"
            if error.code not in RETRIED_STATUSES and error.code < 500:
                raise DeliveryFailed(f"refused: {failure}") from error
        except (OSError, http.client.HTTPException) as error:
            failure = f"{url} could not be reached: {error}"
        if attempt < max_attempts:
            (sleep or time.sleep)(min(backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))
    raise DeliveryFailed(f"{failure} (tried {max_attempts} times)")


def write_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside `path`, sync it, then rename it over `path`: a reader
    sees the old file or the new one, never a part. Raises OSError."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a redirect with an HTTPError (see post_json)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)
