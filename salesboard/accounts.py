"""The company's vendor accounts as clients, outside Dagster (`salesboard check`,
`salesboard discover`): base URLs and credentials from the environment variables the
company file names (`sources`). Dagster's runs build the same clients through their
resources (`orchestration/defs/ingestion/vendors.py`)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.http import VendorClient
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.company import Sources

CLIENTS = {
    "telphin": TelphinClient,
    "amocrm": AmoCrmClient,
    "yookassa": YooKassaClient,
    "amplitude": AmplitudeClient,
}


# The variable names `.env.example` uses, which `salesboard discover` reads and writes into
# a starter file (a company file may name others).
CONVENTIONAL_SOURCES = Sources.model_validate(
    {
        "telphin": {"base_url": "TELPHIN_BASE_URL", "client_id": "TELPHIN_CLIENT_ID",
                    "client_secret": "TELPHIN_CLIENT_SECRET"},
        "amocrm": {"base_url": "AMOCRM_BASE_URL", "token": "AMOCRM_TOKEN"},
        "yookassa": {"base_url": "YOOKASSA_BASE_URL", "shop_id": "YOOKASSA_SHOP_ID",
                     "secret_key": "YOOKASSA_SECRET_KEY"},
        "amplitude": {"base_url": "AMPLITUDE_BASE_URL", "api_key": "AMPLITUDE_API_KEY",
                      "secret_key": "AMPLITUDE_SECRET_KEY"},
    }
)  # fmt: skip


class MissingCredentials(ValueError):
    """Environment variables the company file names are unset or empty (message: their
    names, never a value)."""


def vendor_clients(
    sources: Sources, environ: Mapping[str, str] = os.environ
) -> dict[str, VendorClient]:
    """One client per source, in `CLIENTS` order, built from the values of the variables
    `sources` names (a company file's `sources`; fields in the schema's order are the
    clients' positional arguments). Raises MissingCredentials naming every unset one."""
    names = {name: dict(getattr(sources, name)) for name in CLIENTS}
    unset = [var for fields in names.values() for var in fields.values() if not environ.get(var)]
    if unset:
        raise MissingCredentials(f"unset in the environment (.env): {', '.join(unset)}")
    return {
        name: CLIENTS[name](*(environ[var] for var in names[name].values())) for name in CLIENTS
    }
