"""One resource per vendor account: base URL and credentials from the environment.

Each builds its production client. Resource keys equal source names (`telphin`, ...), so a
stream's asset asks for the resource of its own source and nothing else.
"""

import dagster as dg

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.http import VendorClient
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient


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
    env = dg.EnvVar
    return {
        "telphin": TelphinResource(
            base_url=env("TELPHIN_BASE_URL"),
            client_id=env("TELPHIN_CLIENT_ID"),
            client_secret=env("TELPHIN_CLIENT_SECRET"),
        ),
        "amocrm": AmoCrmResource(base_url=env("AMOCRM_BASE_URL"), token=env("AMOCRM_TOKEN")),
        "yookassa": YooKassaResource(
            base_url=env("YOOKASSA_BASE_URL"),
            shop_id=env("YOOKASSA_SHOP_ID"),
            secret_key=env("YOOKASSA_SECRET_KEY"),
        ),
        "amplitude": AmplitudeResource(
            base_url=env("AMPLITUDE_BASE_URL"),
            api_key=env("AMPLITUDE_API_KEY"),
            secret_key=env("AMPLITUDE_SECRET_KEY"),
        ),
    }
