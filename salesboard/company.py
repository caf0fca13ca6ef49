"""The company configuration: one file (`salesboard.yaml`) that says whose data this is.

Everything that differs from one company to the next, and that the pipeline's figures rest
on, is in this one file, validated against the schema below:

- `time_zone`, `start_date`: the business's time zone and its first day of records;
- `demo`: whether `salesboard run/backfill/dev` start the embedded demo vendor APIs (an
  explicit switch; never inferred from a host name);
- `sources`: per vendor, the *names* of the environment variables holding its base URL and
  credentials (the file holds no secret);
- `crm`: the sales pipeline and its consultation stage (amoCRM ids, with the names as the
  account shows them, which `salesboard check` compares), and the lead custom fields the
  board reads (by id, code or name);
- `product`: the event types of activation and of a watched lesson (Amplitude);
- `payment_metadata`: which keys of a payment's metadata hold the account, lead, manager,
  tariff, period, list price and promo code (YooKassa);
- `managers`: each CRM user and the telephony extension they call from;
- `regions`: the sales regions and their local caller IDs;
- `tariffs`: codes as payments carry them, display names, list prices, the special flag;
- `plans`: each manager's monthly net-revenue plan.

The file is found at `SALESBOARD_CONFIG` (a path, relative to the project root unless
absolute; default `salesboard.yaml` at the root, beside `.env`). The demo company is one such
file (`ingestion/demo/salesboard.yaml`, which `.env.example` names); no value of it is a
default of the product. dbt receives the file as vars (`dbt_vars`), its reference tables
included (`reference_rows`, built by `models/reference`), so no tracked file is edited to
onboard a company.

Errors: `CompanyConfigError` with the file's path and every invalid field's location.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import available_timezones

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from salesboard.layout import PROJECT_ROOT

CONFIG_VARIABLE = "SALESBOARD_CONFIG"
DEFAULT_CONFIG = "salesboard.yaml"

EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")]
# Text that dbt writes into SQL between single quotes: no quote, no backslash.
SqlText = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^'\\]+$")]
Digits = Annotated[str, StringConstraints(pattern=r"^[0-9]+$")]


class CompanyConfigError(ValueError):
    """The company file is missing, unreadable or invalid; the message names the file and
    each invalid field (`managers.2.extension_id: ...`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelphinSource(_Strict):
    base_url: EnvName
    client_id: EnvName
    client_secret: EnvName


class AmoCrmSource(_Strict):
    base_url: EnvName
    token: EnvName


class YooKassaSource(_Strict):
    base_url: EnvName
    shop_id: EnvName
    secret_key: EnvName


class AmplitudeSource(_Strict):
    base_url: EnvName
    api_key: EnvName
    secret_key: EnvName


class Sources(_Strict):
    """Environment-variable names per vendor: `os.environ[name]` holds the value."""

    telphin: TelphinSource
    amocrm: AmoCrmSource
    yookassa: YooKassaSource
    amplitude: AmplitudeSource


class CrmObject(_Strict):
    """An amoCRM pipeline or stage: its id (what the pipeline filters on) and its name as
    the account shows it (what `salesboard check` confirms, so a wrong id is caught)."""

    id: int = Field(gt=0)
    name: str = Field(min_length=1)


class FieldRef(_Strict):
    """An amoCRM custom field by any of its id, code or name (at least one); a lead's
    first field matching any of them is read."""

    id: int | None = Field(default=None, gt=0)
    code: str | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, min_length=1)

    def model_post_init(self, _context: object) -> None:
        if self.id is None and self.code is None and self.name is None:
            raise ValueError("give the field's id, code or name")


class LeadFields(_Strict):
    """The lead custom fields the board reads: the signup's channel (a select), region
    code (text, as `regions` lists it), product account id (text), and two checkboxes."""

    channel: FieldRef
    region: FieldRef
    product_account_id: FieldRef
    case_study_shown: FieldRef
    webinar_attended: FieldRef


Channel = Annotated[str, StringConstraints(pattern=r"^[^'\\A-Z]+$")]  # lowercased, quoted in SQL


class Crm(_Strict):
    """`channels`: the options of the channel field, lowercase, as the leads land them."""

    sales_pipeline: CrmObject
    consultation_stage: CrmObject
    lead_fields: LeadFields
    channels: list[Channel] = Field(min_length=1)


class Product(_Strict):
    """Product analytics: the event types (Amplitude `event_type`) that mean a trial
    activated (domain.md: the first bank statement imported) and a lesson was watched."""

    activation_event: SqlText
    lesson_event: SqlText


MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")]


class PaymentMetadata(_Strict):
    """The keys of the shop's payment `metadata` (YooKassa) holding each fact the pipeline
    reads: the product account, the CRM lead and manager, the tariff code, the billing
    period in months, the list price and the promotion code."""

    account_id: MetadataKey
    lead_id: MetadataKey
    manager_id: MetadataKey
    tariff: MetadataKey
    period_months: MetadataKey
    list_price: MetadataKey
    promo_code: MetadataKey


class Manager(_Strict):
    """A manager: their amoCRM user and the Telphin extension they call from since
    `valid_from` (telephony and CRM share no id; this is the mapping)."""

    crm_user_id: int = Field(gt=0)
    name: SqlText
    extension_id: int = Field(gt=0)
    extension_name: SqlText
    valid_from: date


class Region(_Strict):
    """A sales region as the CRM's region field holds it, with the team's local caller ID
    there (E.164 digits without "+") and the area code that makes a number local."""

    code: SqlText
    name: SqlText
    time_zone: SqlText
    area_code: Digits
    local_did: Digits


class Tariff(_Strict):
    """A tariff: `code` as payment metadata carries it; `special` marks a tariff the board
    tracks separately."""

    code: SqlText
    name: SqlText
    monthly_price_rub: int = Field(ge=0)
    special: bool = False


class CompanyConfig(_Strict):
    """The validated file. `time_zone` (IANA) is the business's: every day, partition and
    window is a calendar day there. `plans` maps a manager's CRM user id to
    {"YYYY-MM": RUB}."""

    demo: bool
    time_zone: str
    start_date: date
    sources: Sources
    crm: Crm
    product: Product
    payment_metadata: PaymentMetadata
    managers: list[Manager] = Field(min_length=1)
    regions: list[Region]
    tariffs: list[Tariff] = Field(min_length=1)
    plans: dict[int, dict[Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")], int]]

    def model_post_init(self, _context: object) -> None:
        if self.time_zone not in available_timezones():
            raise ValueError(f"time_zone: {self.time_zone!r} is not an IANA time zone")
        _unique("managers", [m.crm_user_id for m in self.managers])
        _unique("tariffs", [t.code for t in self.tariffs])
        _unique("regions", [r.code for r in self.regions])
        unknown = sorted(set(self.plans) - {m.crm_user_id for m in self.managers})
        if unknown:
            raise ValueError(f"plans: no manager has crm_user_id {unknown}")


def _unique(section: str, keys: list) -> None:
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"{section}: repeated {', '.join(repeated)}")


def config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The company file `SALESBOARD_CONFIG` names (default `salesboard.yaml`), absolute."""
    path = Path(environ.get(CONFIG_VARIABLE) or DEFAULT_CONFIG)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_company(path: Path | None = None) -> CompanyConfig:
    """Read and validate the company file (default: `config_path()`). Raises
    CompanyConfigError naming the file and every problem."""
    path = path or config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CompanyConfigError(
            f"no company configuration at {path}: set {CONFIG_VARIABLE}, or write one with "
            "`salesboard discover` (the demo's is ingestion/demo/salesboard.yaml)"
        ) from None
    except yaml.YAMLError as error:
        raise CompanyConfigError(f"{path} is not valid YAML: {error}") from None
    try:
        return CompanyConfig.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        problems = [
            f"  {'.'.join(str(part) for part in e['loc']) or '(file)'}: {e['msg']}"
            for e in error.errors()
        ]
        raise CompanyConfigError(f"{path} is not a valid company configuration:\n"
                                 + "\n".join(problems)) from None  # fmt: skip


@lru_cache(maxsize=8)
def _cached(path: Path, mtime_ns: int) -> CompanyConfig:
    return load_company(path)


def company(environ: Mapping[str, str] = os.environ) -> CompanyConfig:
    """The current company (`config_path()`), read again only when the file changes."""
    path = config_path(environ)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return load_company(path)
    return _cached(path, mtime)


def dbt_vars(config: CompanyConfig) -> dict[str, object]:
    """The company's dbt vars: the sales pipeline and consultation stage ids, the channel
    field's options, the product's activation and lesson event types, and the reference
    tables' rows (`reference_rows`)."""
    return {
        "sales_pipeline_id": config.crm.sales_pipeline.id,
        "consultation_status_id": config.crm.consultation_stage.id,
        "activation_event": config.product.activation_event,
        "lesson_event": config.product.lesson_event,
        "signup_channels": list(config.crm.channels),
        "company_reference": reference_rows(config),
    }


def reference_rows(config: CompanyConfig) -> dict[str, list[dict[str, object]]]:
    """The company's reference tables, by table name, as rows of JSON values (dates as ISO
    strings): what `models/reference` builds (`company_rows`), whose YAML documents them."""
    return {
        "manager_extensions": [
            {"manager_id": m.crm_user_id, "extension_id": m.extension_id,
             "extension_name": m.extension_name, "valid_from": m.valid_from.isoformat()}
            for m in config.managers
        ],
        "manager_plans": [
            {"manager_id": manager, "plan_month": f"{month}-01", "plan_net_revenue_rub": rub}
            for manager, months in sorted(config.plans.items())
            for month, rub in sorted(months.items())
        ],
        "regions": [
            {"region_code": r.code, "region_name": r.name, "time_zone": r.time_zone,
             "area_code": r.area_code, "local_did": r.local_did}
            for r in config.regions
        ],
        "tariffs": [
            {"tariff_code": t.code, "tariff_name": t.name,
             "monthly_price_rub": t.monthly_price_rub, "is_special": t.special}
            for t in config.tariffs
        ],
    }  # fmt: skip
