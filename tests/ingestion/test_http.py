"""The shared HTTP plumbing against a real local server: retries, auth, throttles, redaction."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest

import ingestion.http as http_module
from ingestion.errors import (
    SourceAuthError,
    SourceBlockedError,
    SourceResponseError,
    SourceUnavailableError,
)
from ingestion.http import (
    HttpSettings,
    OAuthClientCredentials,
    RateLimiter,
    StaticAuth,
    VendorHttp,
    redact,
    register_secret,
)
from tests.ingestion.conftest import Reply, ScriptedServer

FAST = HttpSettings(
    connect_timeout=2,
    read_timeout=2,
    retries=3,
    backoff_factor=0.01,
    backoff_max=0.05,
    backoff_jitter=0.01,
    body_attempts=3,
    body_wait=0.01,
    body_wait_max=0.05,
)
WINDOW = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))
OK = Reply(200, {"items": [1, 2]})
SECRET = "s3cr3t-VALUE-never-logged"


def items(body: dict) -> list:
    return body["items"]


def http_for(settings: HttpSettings = FAST, **kwargs) -> VendorHttp:
    return VendorHttp("yookassa", StaticAuth.basic("shop", SECRET), settings, **kwargs)


def get(http: VendorHttp, server: ScriptedServer, path: str = "/v3/payments"):
    return http.get_json(server.url + path, http.scope("payments", WINDOW), items)


def test_429_with_retry_after_waits_as_told(scripted):
    scripted.on("GET", "/v3/payments", Reply(429, {}, {"Retry-After": "1"}), OK)
    http = http_for()
    started = time.monotonic()
    assert get(http, scripted) == [1, 2]
    assert time.monotonic() - started >= 0.95
    assert http.stats.retries == 1


def test_429_without_retry_after_waits_busy_wait():
    with ScriptedServer() as server:
        server.on("GET", "/v3/payments", Reply(429, {"message": "concurrent request"}), OK)
        http = http_for(HttpSettings(**{**FAST.__dict__, "busy_wait": 0.4}))
        started = time.monotonic()
        assert get(http, server) == [1, 2]
        assert time.monotonic() - started >= 0.4


def test_5xx_then_success(scripted):
    scripted.on("GET", "/v3/payments", Reply(503), Reply(502), OK)
    http = http_for()
    assert get(http, scripted) == [1, 2]
    assert http.stats.retries == 2 and http.stats.requests == 1


def test_5xx_forever_is_unavailable_naming_source_stream_window(scripted):
    scripted.on("GET", "/v3/payments", Reply(500, b"oops"))
    with pytest.raises(SourceUnavailableError) as caught:
        get(http_for(), scripted)
    assert str(caught.value).startswith(
        "yookassa/payments [2025-03-01T00:00Z, 2025-03-02T00:00Z): HTTP 500"
    )
    assert len(scripted.seen) == FAST.retries + 1


def test_dropped_connection_is_retried(scripted):
    scripted.on("GET", "/v3/payments", Reply(drop=True), OK)
    assert get(http_for(), scripted) == [1, 2]
    assert len(scripted.seen) == 2


def test_connection_refused_exhausts_to_unavailable():
    server = ScriptedServer()  # bound but never serving: connect succeeds, nobody answers
    url = server.url
    server._httpd.server_close()
    http = http_for()
    with pytest.raises(SourceUnavailableError, match="no answer"):
        http.get_json(url + "/v3/payments", http.scope("payments", WINDOW), items)


def test_stalled_response_times_out_and_is_retried(scripted):
    scripted.on("GET", "/v3/payments", Reply(delay=1.0, body={"items": []}), OK)
    http = http_for(HttpSettings(**{**FAST.__dict__, "read_timeout": 0.3}))
    assert get(http, scripted) == [1, 2]


def test_truncated_body_is_retried(scripted):
    scripted.on("GET", "/v3/payments", Reply(200, {"items": [1, 2, 3]}, cut_at=5), OK)
    http = http_for()
    assert get(http, scripted) == [1, 2]
    assert http.stats.retries == 1


def test_truncated_body_forever_fails_loudly(scripted):
    scripted.on("GET", "/v3/payments", Reply(200, {"items": [1, 2, 3]}, cut_at=5))
    with pytest.raises(SourceUnavailableError, match=r"yookassa/payments .*cut off"):
        get(http_for(), scripted)
    assert len(scripted.seen) == FAST.body_attempts


def test_malformed_json_is_retried_then_fatal(scripted):
    scripted.on("GET", "/v3/payments", Reply(200, b"{not json"), OK)
    assert get(http_for(), scripted) == [1, 2]

    scripted.on("GET", "/v3/other", Reply(200, {"unexpected": "shape"}))
    with pytest.raises(SourceResponseError, match="malformed response after 3 attempts"):
        get(http_for(), scripted, "/v3/other")


def test_401_for_static_credentials_is_fatal_without_retry(scripted, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.on("GET", "/v3/payments", Reply(401, {"description": "bad"}))
    with pytest.raises(SourceAuthError) as caught:
        get(http_for(), scripted)
    assert str(caught.value) == (
        "yookassa/payments [2025-03-01T00:00Z, 2025-03-02T00:00Z): bad credentials (HTTP 401)"
    )
    assert len(scripted.seen) == 1
    assert SECRET not in caplog.text and SECRET not in str(caught.value)
    assert scripted.seen[0].headers["Authorization"].startswith("Basic ")


def test_403_html_block_is_fatal_without_retry(scripted):
    page = b"<html><body><h1>Access denied</h1>Too many requests</body></html>"
    scripted.on("GET", "/v3/payments", Reply(403, page, {"Content-Type": "text/html"}))
    with pytest.raises(SourceBlockedError, match=r"HTTP 403: <html><body><h1>Access denied"):
        get(http_for(), scripted)
    assert len(scripted.seen) == 1


def oauth_http(server: ScriptedServer) -> VendorHttp:
    auth = OAuthClientCredentials(server.url + "/oauth/token", "client-1", SECRET)
    return VendorHttp("telphin", auth, FAST)


def token(value: str, expires_in: int = 3600) -> Reply:
    return Reply(200, {"access_token": value, "token_type": "Bearer", "expires_in": expires_in})


def test_oauth_token_is_reused_until_near_expiry(scripted):
    scripted.on("POST", "/oauth/token", token("tok-a"), token("tok-b"))
    scripted.on("GET", "/v3/payments", OK)
    http = oauth_http(scripted)
    get(http, scripted)
    get(http, scripted)
    assert len(scripted.requests_to("/oauth/token")) == 1
    form = scripted.requests_to("/oauth/token")[0].body.decode()
    assert "grant_type=client_credentials" in form and "client_id=client-1" in form
    calls = scripted.requests_to("/v3/payments")
    assert {c.headers["Authorization"] for c in calls} == {"Bearer tok-a"}


def test_oauth_refreshes_within_60_seconds_of_expiry(scripted):
    scripted.on("POST", "/oauth/token", token("tok-a", 60), token("tok-b", 60))
    scripted.on("GET", "/v3/payments", OK)
    http = oauth_http(scripted)
    get(http, scripted)
    get(http, scripted)
    assert [c.headers["Authorization"] for c in scripted.requests_to("/v3/payments")] == [
        "Bearer tok-a",
        "Bearer tok-b",
    ]


def test_oauth_refreshes_once_after_401(scripted):
    scripted.on("POST", "/oauth/token", token("revoked"), token("fresh"))
    scripted.on("GET", "/v3/payments", Reply(401), OK)
    assert get(oauth_http(scripted), scripted) == [1, 2]
    assert len(scripted.requests_to("/oauth/token")) == 2

    scripted.on("POST", "/oauth/token", token("t1"), token("t2"), token("t3"))
    scripted.on("GET", "/v3/other", Reply(401))
    with pytest.raises(SourceAuthError, match="bad credentials"):
        get(oauth_http(scripted), scripted, "/v3/other")
    assert len(scripted.requests_to("/v3/other")) == 2


def test_oauth_bad_client_is_fatal_and_secret_free(scripted, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.on("POST", "/oauth/token", Reply(401, {"error": "invalid_client"}))
    with pytest.raises(SourceAuthError, match=r"telphin/payments .*bad credentials") as caught:
        get(oauth_http(scripted), scripted)
    assert len(scripted.seen) == 1
    assert SECRET not in caplog.text and SECRET not in str(caught.value)


class SteppedClock:
    """A clock that moves only when slept on, so the limiter's waits are read exactly: the
    server's arrival times carry the scheduler's jitter, which no limiter controls."""

    def __init__(self) -> None:
        self.now, self.sleeps = 1000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_requests(scripted, monkeypatch):
    clock = SteppedClock()
    monkeypatch.setattr(http_module, "time", clock)
    scripted.on("GET", "/v3/payments", OK)
    http = http_for(throttle=RateLimiter(20))
    for _ in range(6):
        get(http, scripted)
    # Six requests reached the server, each after the first held back 1/20 s on the clock.
    assert len(scripted.seen) == 6
    assert clock.sleeps == pytest.approx([0.05] * 5)


def test_serial_throttle_allows_one_request_at_a_time(scripted):
    scripted.on("GET", "/v3/payments", Reply(200, {"items": []}, delay=0.1))
    http = http_for(throttle=threading.Lock())
    threads = [threading.Thread(target=get, args=(http, scripted)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(scripted.seen) == 4 and scripted.max_in_flight == 1


def test_a_short_registered_secret_cannot_unmask_a_credential_shape(monkeypatch):
    """A token `tok` (as the Telphin fakes issue) sits inside the key `token=`: masking it
    first would leave `***en=xyz789abc` and the value readable."""
    monkeypatch.setattr(http_module, "_SECRETS", {"tok"})
    clean = redact("GET /calls?token=xyz789abc with tok")
    assert "xyz789abc" not in clean and "tok" not in clean


def test_redaction_masks_registered_secrets_and_credential_shapes(caplog):
    register_secret("hunter2-registered")
    text = (
        "Authorization: Bearer abcdef123456 token=xyz789abc Basic c2hvcDpzZWNyZXQ= "
        "and hunter2-registered"
    )
    clean = redact(text)
    for leaked in ("abcdef123456", "xyz789abc", "c2hvcDpzZWNyZXQ=", "hunter2-registered"):
        assert leaked not in clean
    assert "basic tariff" in redact("basic tariff")

    caplog.set_level(logging.DEBUG)
    http = http_for()  # installs the filter on the source's logger
    http.log.warning("sending %s with header Bearer %s", SECRET, "tok-123456789")
    assert SECRET not in caplog.text and "tok-123456789" not in caplog.text
