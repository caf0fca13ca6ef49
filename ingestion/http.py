"""HTTP plumbing shared by the four vendor clients: sessions, retries, auth, throttling, logs.

Two retry layers, because failures happen in two places:

* urllib3's `Retry` (mounted on the session's adapter) retries what it can see before the
  body is read: connection errors, 429 and 5xx, with exponential backoff plus jitter, and
  honours `Retry-After`. A 429 without `Retry-After` (Telphin's "concurrent request not
  allowed") waits a configurable `busy_wait` instead of the short backoff.
* tenacity retries "request + read + parse" when the body itself is bad: cut off mid-way
  (IncompleteRead, ChunkedEncodingError, dropped connection) or unparseable (JSON, ZIP).

Anything else is fatal at once and raised as a `SourceError` naming source, stream and
window: 401 (after one token refresh where the auth can refresh), 403 (amoCRM's block page),
other unexpected statuses. Secrets never reach logs: every client registers its secrets
with the redacting log filter installed here.
"""

from __future__ import annotations

import base64
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import orjson
import requests
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from urllib3.util.retry import Retry

from ingestion.errors import (
    SourceAuthError,
    SourceBlockedError,
    SourceConfigError,
    SourceError,
    SourceResponseError,
    SourceUnavailableError,
    Window,
    format_window,
)

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts, retry budgets and waits; Dagster resources fill these from configuration.

    `busy_wait` is the pause after a 429 that carries no `Retry-After` (None: use the
    exponential backoff). Body retries cover truncated or malformed bodies only.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff_factor: float = 1.0
    backoff_max: float = 60.0
    backoff_jitter: float = 1.0
    busy_wait: float | None = None
    body_attempts: int = 3
    body_wait: float = 1.0
    body_wait_max: float = 30.0


@dataclass
class ClientStats:
    """Counters a caller can put in Dagster metadata (`dataclasses.asdict(client.stats)`)."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    records: int = 0

    def count_page(self, records: list[Any]) -> list[Any]:
        """Count one yielded page and hand it back, so clients can `yield stats.count_page(p)`."""
        self.pages += 1
        self.records += len(records)
        return records


# --- secrets out of logs -------------------------------------------------------------------

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_CREDENTIAL_PATTERN = re.compile(
    # "Bearer <token>": the token holds a digit or "=", so "Basic tariff" stays readable.
    r"\b(Bearer|Basic)\s+(?=[\w.~+/-]*[0-9=])[\w.~+/=-]{8,}"
    r"|(?i:\b(access_token|client_secret|secret_key|api_key|password|token)\b)"
    r"([\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;]+"
)
# urllib3 logs request lines and retry decisions; our own loggers are added per client.
_THIRD_PARTY_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


def register_secret(secret: str) -> None:
    """Remember a secret so that `redact` (and so every log line) masks it."""
    if secret:
        with _SECRETS_LOCK:
            _SECRETS.add(secret)


def redact(text: str) -> str:
    """Mask anything shaped like a credential (`Bearer x`, `token=x`), then registered
    secrets. Shapes first: a short registered secret (a token such as `tok`) would otherwise
    mask part of a shape's key (`***en=x`) and leave its value readable."""
    text = _CREDENTIAL_PATTERN.sub(_mask_credential, text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _mask_credential(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)} ***"
    return f"{match.group(2)}{match.group(3)}***"


class RedactingFilter(logging.Filter):
    """Rewrites each record's message through `redact` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()


def install_redaction(logger: logging.Logger) -> logging.Logger:
    """Attach the redacting filter to `logger` and urllib3's loggers (idempotent)."""
    for target in (logger, *map(logging.getLogger, _THIRD_PARTY_LOGGERS)):
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
    return logger


# --- what a request is for, for errors and logs --------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The source, stream and window a request serves; every error and log line names it."""

    source: str
    stream: str
    window: Window | None = None

    def __str__(self) -> str:
        return f"{self.source}/{self.stream}{format_window(self.window)}"

    def error(self, cls: type[SourceError], message: str) -> SourceError:
        return cls(self.source, self.stream, self.window, redact(message))


# --- authentication ------------------------------------------------------------------------


class Auth(Protocol):
    """Supplies the Authorization header; `invalidate` says whether a 401 is worth one retry."""

    def headers(self, http: VendorHttp, scope: Scope) -> dict[str, str]: ...

    def invalidate(self) -> bool: ...


class StaticAuth:
    """A fixed Authorization header: amoCRM's Bearer token, HTTP Basic for YooKassa/Amplitude."""

    def __init__(self, header_value: str, *secrets: str) -> None:
        for secret in (header_value.split(" ", 1)[-1], *secrets):
            register_secret(secret)
        self._headers = {"Authorization": header_value}

    @classmethod
    def basic(cls, user: str, password: str) -> StaticAuth:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return cls(f"Basic {pair}", password)

    @classmethod
    def bearer(cls, token: str) -> StaticAuth:
        return cls(f"Bearer {token}")

    def headers(self, http: VendorHttp, scope: Scope) -> dict[str, str]:
        return self._headers

    def invalidate(self) -> bool:
        """Static credentials do not get better by asking again: a 401 is final."""
        return False


class OAuthClientCredentials:
    """OAuth2 client credentials (Telphin): token fetched lazily, refreshed `margin` seconds
    before it expires and once after a 401 (the server may revoke tokens early).

    `expires_in` is optional (RFC 6749 §5.1 "RECOMMENDED"; a public Telphin SDK's fixture
    omits it): a token without it is kept until the server rejects it with a 401.
    """

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, margin: float = 60.0
    ) -> None:
        register_secret(client_secret)
        self._token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._margin = margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def headers(self, http: VendorHttp, scope: Scope) -> dict[str, str]:
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at - self._margin:
                self._token, lifetime = http.request_json(
                    "POST",
                    self._token_url,
                    scope,
                    data=self._form,
                    authenticate=False,
                    # OAuth servers answer a bad client with 400 invalid_client or 401.
                    auth_statuses=frozenset({400, 401}),
                    extract=_token_and_lifetime,
                )
                register_secret(self._token)
                self._expires_at = time.monotonic() + lifetime
                http.log.info("%s: obtained an access token valid for %.0f s", scope, lifetime)
            return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> bool:
        with self._lock:
            self._token = None
        return True


def _token_and_lifetime(body: dict) -> tuple[str, float]:
    """`access_token` and its lifetime in seconds from a token answer; an absent or null
    `expires_in` is an unbounded lifetime (the 401 refresh is then the only one)."""
    expires_in = body.get("expires_in")
    return str(body["access_token"]), math.inf if expires_in is None else float(expires_in)


# --- throttling ----------------------------------------------------------------------------


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart (amoCRM allows 7 requests/s)."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        self._lock = threading.Lock()
        self._next = 0.0

    def __enter__(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self._interval
            if wait > 0:
                time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        return None


# --- retries -------------------------------------------------------------------------------


# Statuses the caller of the request in progress interprets itself (`passthrough`): urllib3
# hands them back at once instead of retrying them (Amplitude's 504 shrinks the window).
_ANSWERED_BY_CALLER: ContextVar[frozenset[int]] = ContextVar(
    "answered_by_caller", default=frozenset()
)


class VendorRetry(Retry):
    """urllib3 `Retry` that waits `busy_wait` after a 429 carrying no `Retry-After`, and
    never retries a status the request's caller answers itself."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in _ANSWERED_BY_CALLER.get():
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def __init__(self, *args: Any, busy_wait: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy_wait = busy_wait

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.busy_wait = self.busy_wait
        return retry

    def sleep_for_retry(self, response: Any) -> bool:
        if super().sleep_for_retry(response):
            return True
        if response.status == 429 and self.busy_wait is not None:
            time.sleep(self.busy_wait)
            return True
        return False


class MalformedBody(Exception):
    """The body arrived whole but cannot be parsed (JSON, ZIP, gzip); worth another attempt."""


class _CutOff(Exception):
    """The body stopped short (IncompleteRead, chunked encoding broken, connection dropped)."""


_BODY_READ_ERRORS = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.ConnectionError,
)


def _session(settings: HttpSettings) -> requests.Session:
    retry = VendorRetry(
        total=settings.retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),  # POST only for the idempotent token call
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        backoff_jitter=settings.backoff_jitter,
        respect_retry_after_header=True,
        raise_on_status=False,  # hand back the last 429/5xx so we can name it in the error
        raise_on_redirect=False,
        busy_wait=settings.busy_wait,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": "salesboard-ingestion", "Accept": "application/json"})
    return session


# --- the client-side core ------------------------------------------------------------------


class VendorHttp:
    """One vendor's session with its auth, throttle, retries, stats and redacted logger."""

    def __init__(
        self,
        source: str,
        auth: Auth,
        settings: HttpSettings,
        throttle: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.source = source
        self.stats = ClientStats()
        self.log = install_redaction(logging.getLogger(f"ingestion.{source}"))
        self._auth = auth
        self._settings = settings
        self._throttle = throttle if throttle is not None else nullcontext()
        self._session = _session(settings)

    def scope(self, stream: str, window: Window | None = None) -> Scope:
        """The scope of one pull; windows must be tz-aware and non-empty, else it's a bug."""
        if window is not None:
            start, end = window
            if start.tzinfo is None or end.tzinfo is None:
                raise ValueError(f"{self.source}/{stream}: window bounds must be tz-aware")
            if not start < end:
                raise ValueError(f"{self.source}/{stream}: empty window {start} .. {end}")
        return Scope(self.source, stream, window)

    def close(self) -> None:
        self._session.close()

    def get_json(
        self,
        url: str,
        scope: Scope,
        extract: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
    ) -> T | None:
        """GET a JSON document and `extract` what the caller needs; None on 204 No Content.

        `extract` raising KeyError/TypeError/ValueError counts as a malformed body.
        """
        return self.request_json("GET", url, scope, params=params, extract=extract)

    def request_json(
        self,
        method: str,
        url: str,
        scope: Scope,
        *,
        extract: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        authenticate: bool = True,
        auth_statuses: frozenset[int] = frozenset({401}),
    ) -> T | None:
        def read(response: requests.Response) -> T:
            try:
                body = response.content
            except _BODY_READ_ERRORS as e:
                raise _CutOff(type(e).__name__) from e
            try:
                return extract(orjson.loads(body))
            except orjson.JSONDecodeError as e:
                raise MalformedBody(f"malformed JSON ({e})") from e
            except (KeyError, TypeError, ValueError, IndexError) as e:
                raise MalformedBody(f"unexpected JSON shape ({type(e).__name__}: {e})") from e

        _, value = self._request(
            method,
            url,
            scope,
            read,
            params=params,
            data=data,
            authenticate=authenticate,
            auth_statuses=auth_statuses,
        )
        return value

    def download(
        self,
        url: str,
        scope: Scope,
        dest: Path,
        check: Callable[[Path], None],
        params: Mapping[str, Any] | None = None,
        passthrough: frozenset[int] = frozenset(),
    ) -> int:
        """Stream a body to `dest` and `check` it (raising MalformedBody); return the status.

        Statuses in `passthrough` are returned at once, neither retried nor read, for the
        caller to interpret (Amplitude: 404 = empty window, 400 and 504 = window too large).
        """

        def read(response: requests.Response) -> None:
            try:
                with dest.open("wb") as sink:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        sink.write(chunk)
            except _BODY_READ_ERRORS as e:
                raise _CutOff(type(e).__name__) from e
            check(dest)

        status, _ = self._request("GET", url, scope, read, params=params, passthrough=passthrough)
        return status

    def probe(self, url: str, scope: Scope) -> None:
        """GET `url` once to prove the base URL and credentials reach the vendor's project.

        Raises `SourceConfigError` naming `url` on a 404 (a wrong host, region or path, which
        an API that answers 404 for "no data" cannot otherwise tell apart), `SourceAuthError`
        on rejected credentials, and the usual errors for anything else that is not 2xx.
        """
        status, _ = self._request(
            "GET", url, scope, lambda response: None, passthrough=frozenset({404})
        )
        if status == 404:
            raise scope.error(
                SourceConfigError,
                f"GET {url} answered HTTP 404: the configured base URL does not reach the "
                f"{self.source} API (wrong host, region or path)",
            )

    def _request(
        self,
        method: str,
        url: str,
        scope: Scope,
        read: Callable[[requests.Response], T],
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        authenticate: bool = True,
        auth_statuses: frozenset[int] = frozenset({401}),
        passthrough: frozenset[int] = frozenset(),
    ) -> tuple[int, T | None]:
        """Send with both retry layers; on a 401 let the auth refresh once and try again."""
        refreshed = False
        while True:
            headers = self._auth.headers(self, scope) if authenticate else {}
            try:
                return self._with_body_retries(
                    lambda h=headers: self._attempt(
                        method, url, scope, read, params, data, h, auth_statuses, passthrough
                    ),
                    scope,
                )
            except SourceAuthError:
                if refreshed or not authenticate or not self._auth.invalidate():
                    raise
                refreshed = True
                self.stats.retries += 1
                self.log.info("%s: credentials rejected; refreshing them once", scope)

    def _with_body_retries(self, attempt: Callable[[], T], scope: Scope) -> T:
        s = self._settings
        retrying = Retrying(
            stop=stop_after_attempt(s.body_attempts),
            wait=wait_exponential_jitter(
                initial=s.body_wait, max=s.body_wait_max, jitter=s.body_wait
            ),
            retry=retry_if_exception_type((MalformedBody, _CutOff)),
            before_sleep=lambda state: self._note_body_retry(state, scope),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _CutOff as e:
            raise scope.error(
                SourceUnavailableError,
                f"response body cut off after {s.body_attempts} attempts ({e})",
            ) from e
        except MalformedBody as e:
            raise scope.error(
                SourceResponseError, f"malformed response after {s.body_attempts} attempts: {e}"
            ) from e

    def _note_body_retry(self, state: RetryCallState, scope: Scope) -> None:
        self.stats.retries += 1
        wait = state.next_action.sleep if state.next_action else 0.0
        self.log.warning(
            "%s: bad response body (%s), attempt %d, retrying in %.1f s",
            scope,
            state.outcome.exception() if state.outcome else "?",
            state.attempt_number,
            wait,
        )

    def _attempt(
        self,
        method: str,
        url: str,
        scope: Scope,
        read: Callable[[requests.Response], T],
        params: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        headers: dict[str, str],
        auth_statuses: frozenset[int],
        passthrough: frozenset[int],
    ) -> tuple[int, T | None]:
        """One request as urllib3 retries it, then the body read; status triage in between."""
        s = self._settings
        with self._throttle:
            self.stats.requests += 1
            answered_by_caller = _ANSWERED_BY_CALLER.set(passthrough)
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=(s.connect_timeout, s.read_timeout),
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as e:
                raise scope.error(
                    SourceUnavailableError,
                    f"no answer after {s.retries} retries ({type(e).__name__}: {e})",
                ) from e
            finally:
                _ANSWERED_BY_CALLER.reset(answered_by_caller)
            with response:
                status = response.status_code
                self._note_transport_retries(response, scope)
                self.log.debug("%s: %s %s -> HTTP %d", scope, method, response.url, status)
                if status in passthrough:
                    return status, None
                if status in auth_statuses:
                    raise scope.error(SourceAuthError, f"bad credentials (HTTP {status})")
                if status == 403:
                    raise scope.error(
                        SourceBlockedError,
                        "access forbidden, the vendor may have blocked the integration "
                        f"(HTTP 403: {_snippet(response)})",
                    )
                if status in RETRY_STATUSES:
                    raise scope.error(
                        SourceUnavailableError,
                        f"HTTP {status} still after {s.retries} retries ({_snippet(response)})",
                    )
                if not 200 <= status < 300:
                    raise scope.error(
                        SourceResponseError, f"unexpected HTTP {status}: {_snippet(response)}"
                    )
                if status == 204:
                    return status, None
                return status, read(response)

    def _note_transport_retries(self, response: requests.Response, scope: Scope) -> None:
        retries = getattr(response.raw, "retries", None)
        history = retries.history if retries is not None else ()
        if history:
            self.stats.retries += len(history)
            self.log.info(
                "%s: answered HTTP %d after %d retries (%s)",
                scope,
                response.status_code,
                len(history),
                ", ".join(str(h.status or type(h.error).__name__) for h in history),
            )


def _snippet(response: requests.Response, limit: int = 200) -> str:
    """The start of an error body, one line, for messages (amoCRM's 403 is a whole HTML page)."""
    try:
        text = response.raw.read(limit, decode_content=True).decode("utf-8", "replace")
    except Exception:  # the body is only decoration for an error already being raised
        return "body unreadable"
    return " ".join(text.split())[:limit] or "empty body"


class VendorClient:
    """Base of the four clients: owns the `VendorHttp`, exposes `stats`, closes the session."""

    def __init__(self, http: VendorHttp) -> None:
        self._http = http

    @property
    def stats(self) -> ClientStats:
        return self._http.stats

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
