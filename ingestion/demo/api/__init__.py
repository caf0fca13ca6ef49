"""Local stand-ins for the vendors' HTTP APIs (Telphin, amoCRM, YooKassa, Amplitude), serving
the simulated world in each vendor's wire format, with opt-in faults."""

from ingestion.demo.api.app import VENDOR_PREFIXES, create_app
from ingestion.demo.api.faults import FaultConfig

__all__ = ["VENDOR_PREFIXES", "FaultConfig", "create_app"]
