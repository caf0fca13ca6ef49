"""The demo Amplitude Export API over real HTTP: ZIP of gzipped JSON lines per hour,
inclusive hour windows by upload time, 404 for empty windows, 400 for too large ones."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import requests

START = datetime(2024, 7, 10, tzinfo=UTC)


@pytest.fixture
def export(demo_api):
    creds = demo_api.app.state.demo.world.config.credentials["amplitude"]
    url = demo_api.urls["amplitude"] + "/api/2/export"

    def get(start: str, end: str, auth=(creds["api_key"], creds["secret_key"])):
        return requests.get(url, params={"start": start, "end": end}, auth=auth, timeout=10)

    return get


def events_of(response) -> dict[str, list[dict]]:
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {
        name: [orjson.loads(line) for line in gzip.decompress(archive.read(name)).splitlines()]
        for name in archive.namelist()
    }


def test_a_day_comes_as_one_gzipped_json_lines_file_per_hour(export, demo_world):
    files = events_of(export("20240710T00", "20240710T23"))
    assert 12 < len(files) <= 24  # hours without uploads have no file
    for name in files:
        assert re.fullmatch(r"(\d+)/\1_2024-07-10_\d{1,2}#0\.json\.gz", name)
    got = [e for events in files.values() for e in events]
    expected = list(demo_world.activity_events(START, START + timedelta(days=1)))
    assert [e["uuid"] for e in got] == [e.uuid for e in expected]
    first, truth = got[0], expected[0]
    assert first["$insert_id"] == truth.insert_id and first["user_id"] == truth.user_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", first["server_upload_time"])
    assert set(first) >= {"event_type", "device_id", "event_time", "event_properties"}
    assert set(first) >= {"user_properties", "platform"}


def test_the_end_hour_is_inclusive(export, demo_world):
    files = events_of(export("20240710T05", "20240710T05"))
    assert list(files) == [next(iter(files))] and "_2024-07-10_5#0" in next(iter(files))
    expected = demo_world.activity_events(START + timedelta(hours=5), START + timedelta(hours=6))
    assert [e["uuid"] for e in next(iter(files.values()))] == [e.uuid for e in expected]


def test_empty_window_is_404(export, demo_api):
    assert export("20240101T00", "20240101T05").status_code == 404
    demo_api.set_clock(START)
    assert export("20240710T00", "20240710T05").status_code == 404  # not uploaded yet


def test_bad_and_too_large_windows_are_400(export, demo_api):
    assert export("2024-07-10", "20240710T05").status_code == 400
    assert export("20240710T05", "20240710T04").status_code == 400
    demo_api.set_faults({"amplitude": {"max_window_hours": 24}})
    assert export("20240710T00", "20240710T23").status_code == 200
    assert export("20240710T00", "20240711T00").status_code == 400


def test_wrong_credentials_get_401(export):
    assert export("20240710T00", "20240710T01", auth=("demo", "wrong")).status_code == 401
