"""Fixtures for the dbt project: the orchestration fixtures (demo server, pipeline env)."""

from tests.orchestration.conftest import pipeline_env  # noqa: F401
