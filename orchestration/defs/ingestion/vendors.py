"""One resource per vendor account: base URL and credentials from the environment
variables the company file names (`sources` in `salesboard.yaml`).

Each builds its production client. Resource keys equal source names (`telphin`, ...), so a
stream's asset asks for the resource of its own source and nothing else.
"""

import dagster as dg

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.http import VendorClient
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.company import company


class TelphinResource(dg.ConfigurableResource):
    base_url: str
    client_id: str
    client_secret: str

    def client(self) -> VendorClient:
        return TelphinClient(self.base_url, self.client_id, self.client_secret)


class AmoCrmResource(dg.ConfigurableResource):
    base_url: str
    token: str

    def client(self) -> VendorClient:
        return AmoCrmClient(self.base_url, self.token)


class YooKassaResource(dg.ConfigurableResource):
    base_url: str
    shop_id: str
    secret_key: str

    def client(self) -> VendorClient:
        return YooKassaClient(self.base_url, self.shop_id, self.secret_key)


class AmplitudeResource(dg.ConfigurableResource):
    base_url: str
    api_key: str
    secret_key: str

    def client(self) -> VendorClient:
        return AmplitudeClient(self.base_url, self.api_key, self.secret_key)


def vendor_resources() -> dict[str, dg.ConfigurableResource]:
    env, sources = dg.EnvVar, company().sources
    return {
        "telphin": TelphinResource(
            base_url=env(sources.telphin.base_url),
            client_id=env(sources.telphin.client_id),
            client_secret=env(sources.telphin.client_secret),
        ),
        "amocrm": AmoCrmResource(
            base_url=env(sources.amocrm.base_url), token=env(sources.amocrm.token)
        ),
        "yookassa": YooKassaResource(
            base_url=env(sources.yookassa.base_url),
            shop_id=env(sources.yookassa.shop_id),
            secret_key=env(sources.yookassa.secret_key),
        ),
        "amplitude": AmplitudeResource(
            base_url=env(sources.amplitude.base_url),
            api_key=env(sources.amplitude.api_key),
            secret_key=env(sources.amplitude.secret_key),
        ),
    }
