"""The demo server's ASGI app: the four vendor APIs under their prefixes, plus `/_demo`.

Clients get `{root}/telphin`, `{root}/amocrm`, `{root}/yookassa/v3` and `{root}/amplitude`
as base URLs and append the same paths they append to the real vendors' hosts.
"""

from __future__ import annotations

from datetime import datetime

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from ingestion.demo.api import control
from ingestion.demo.api.amocrm import AmoCrmApi
from ingestion.demo.api.amplitude import AmplitudeApi
from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.api.layer import CONNECTION_SCOPE_KEY, VendorLayer
from ingestion.demo.api.state import Clock, DemoState
from ingestion.demo.api.telphin import TelphinApi
from ingestion.demo.api.yookassa import YooKassaApi
from ingestion.demo.world import World

VENDOR_PREFIXES = {
    "telphin": "/telphin",
    "amocrm": "/amocrm",
    "yookassa": "/yookassa/v3",
    "amplitude": "/amplitude",
}


class DemoApp(Starlette):
    """Starlette, plus the server's connection object in the scope: the dropped-connection
    fault must close the socket, which ASGI itself cannot express."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[CONNECTION_SCOPE_KEY] = getattr(send, "__self__", None)
        await super().__call__(scope, receive, send)


def create_app(
    world: World, *, faults: FaultConfig | None = None, clock: datetime | None = None
) -> DemoApp:
    """`clock` freezes the server's now at that instant; None follows the real clock."""
    state = DemoState(world, faults or FaultConfig(), Clock(clock))
    vendors = [
        TelphinApi(state).vendor(),
        AmoCrmApi(state).vendor(),
        YooKassaApi(state).vendor(),
        AmplitudeApi(state).vendor(),
    ]
    routes = [Mount("/_demo", routes=control.routes(state))]
    routes += [Mount(VENDOR_PREFIXES[v.name], app=VendorLayer(v, state)) for v in vendors]
    app = DemoApp(routes=routes)
    app.state.demo = state
    return app
