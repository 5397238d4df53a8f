"""Billing export layouts -> one internal table, as DuckDB SQL.

Every layout is recognised from its columns and turned into the same columns: `day`, `tag` (the environment tag
value, '' when untagged), `service` (the billing name: CUR product/service code or FOCUS ServiceName), `usage_type`,
`unit`, `quantity`, `unblended` (billed), `amortized` (effective), `kind` (usage, tax, credit, refund, purchase,
discount, adjustment, correction), `region`, `account`, `currency`, `provider`. Money is DECIMAL(38,12): exact
sums, and a NaN or Infinity in the file is a conversion error rather than a wrong total. Downstream is format-blind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stackcost.report.actuals import ActualsError

LABELS = {"focus": "FOCUS", "cur2": "CUR 2.0", "cur-legacy": "CUR legacy", "csv": "CSV"}
MONEY = "DECIMAL(38,12)"


@dataclass(frozen=True)
class Columns:
    types: dict[str, str]  # column name -> DuckDB type, as the file has them

    def has(self, name: str) -> bool:
        return name in self.types

    def find(self, *names: str) -> str | None:
        for n in names:
            if n in self.types:
                return n
        return None

    def is_text(self, name: str) -> bool:
        return self.types[name].upper() == "VARCHAR"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def detect(cols: Columns) -> tuple[str, str]:
    """(format id, label with version) from the column names alone."""
    if cols.has("BilledCost") and cols.has("ChargePeriodStart"):
        # Columns new in each version (FOCUS 1.1 added ServiceSubcategory / CapacityReservationId, 1.2 added
        # InvoiceId and the PricingCurrency columns); AWS's FOCUS 1.0 export adds x_ columns only.
        if cols.has("InvoiceId") or cols.has("PricingCurrency"):
            return "focus", "FOCUS 1.2"
        if cols.has("ServiceSubcategory") or cols.has("CapacityReservationId"):
            return "focus", "FOCUS 1.1"
        return "focus", "FOCUS 1.0"
    if cols.has("lineItem/UnblendedCost"):
        return "cur-legacy", "CUR legacy"
    if cols.has("line_item_unblended_cost"):
        cur2_only = ("resource_tags", "product", "cost_category", "discount", "bill_payer_account_name",
                     "line_item_usage_account_name")
        if any(cols.has(c) for c in cur2_only):
            return "cur2", "CUR 2.0"
        return "cur-legacy", "CUR legacy (Athena naming)"
    if {"date", "service", "environment", "USD"} <= set(cols.types):
        return "csv", "CSV"
    some = ", ".join(repr(c[:40]) for c in list(cols.types)[:4])
    raise ActualsError(f"not a billing export this tool knows (FOCUS, CUR 2.0, legacy CUR, or the simple CSV); "
                       f"{len(cols.types)} columns: {some}{', ...' if len(cols.types) > 4 else ''}")


def label_for(fmt: str, cols: Columns) -> str:
    """The label of a forced format (--actuals-format), with the version where the columns tell it."""
    detected, label = _safe_detect(cols)
    return label if detected == fmt else LABELS[fmt]


def _safe_detect(cols: Columns) -> tuple[str, str]:
    try:
        return detect(cols)
    except ActualsError:
        return "", ""


def tag_names(tag_key: str) -> tuple[str, set[str]]:
    """The bare tag key and the lower-case spellings it takes in exports: `Environment`, `user:Environment`
    (legacy CUR and FOCUS), `user_environment` (CUR 2.0 map keys, Athena columns)."""
    bare = re.sub(r"^(resourceTags/)?user[:_]", "", tag_key.strip(), flags=re.IGNORECASE)
    if not bare:
        raise ActualsError(f"--tag-key {tag_key!r}: empty tag key")
    low = bare.lower()
    under = re.sub(r"[^a-z0-9]", "_", low)
    return bare, {low, f"user:{low}", f"user_{low}", f"user_{under}"}


def _money(cols: Columns, *names: str) -> str:
    name = cols.find(*names)
    if name is None:
        return f"CAST(0 AS {MONEY})"
    col = ident(name)
    if cols.is_text(name):
        col = f"NULLIF(TRIM({col}), '')"
    return f"COALESCE(CAST({col} AS {MONEY}), 0)"


def _text(cols: Columns, *names: str) -> str:
    name = cols.find(*names)
    if name is None:
        return "''"
    return f"COALESCE(CAST({ident(name)} AS VARCHAR), '')"


def _day(cols: Columns, *names: str, hourly: bool = False) -> str:
    name = cols.find(*names)
    if name is None:
        raise ActualsError(f"no usage start column ({' / '.join(names)})")
    if hourly:  # the hour the usage started in (calibration's hourly profiles; DuckDB only)
        ts = (f"CAST(replace(substr(TRIM({ident(name)}), 1, 19), 'T', ' ') AS TIMESTAMP)" if cols.is_text(name)
              else f"CAST({ident(name)} AS TIMESTAMP)")
        return f"date_trunc('hour', {ts})"
    if cols.is_text(name):
        # ISO strings in every layout ("2024-09-18 22:00:00", "2023-11-01T00:00:00.000Z"): the date is the first
        # ten characters; a malformed one is a conversion error, not a skipped row.
        return f"CAST(substr(TRIM({ident(name)}), 1, 10) AS DATE)"
    return f"CAST({ident(name)} AS DATE)"


def _map_tag(cols: Columns, name: str | None, keys: set[str], dialect: str) -> str:
    """A tag value out of a map column (Parquet MAP, or JSON text in CSV), key matched case-insensitively."""
    if name is None:
        return "''"
    col = ident(name)
    inlist = ", ".join(lit(k) for k in sorted(keys))
    is_map = cols.types[name].upper().startswith("MAP")
    if dialect == "trino":  # Athena
        m = col if is_map else f"CAST(json_parse(NULLIF(TRIM({col}), '')) AS MAP(VARCHAR, VARCHAR))"
        return f"COALESCE(element_at(map_values(map_filter({m}, (k, v) -> lower(k) IN ({inlist}))), 1), '')"
    if is_map:
        m = f"CAST({col} AS MAP(VARCHAR, VARCHAR))"
    else:
        m = f"CAST(CAST(NULLIF(TRIM(CAST({col} AS VARCHAR)), '') AS JSON) AS MAP(VARCHAR, VARCHAR))"
    return f"COALESCE(list_filter(map_entries({m}), lambda e: lower(e.key) IN ({inlist}))[1].value, '')"


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def group_tag(cols: Columns, fmt: str, tag: str) -> str:
    """A second tag, matched on its letters and digits only (`aws:ecs:serviceName`, `aws_ecs_service_name`,
    `resourceTags/aws:ecs:serviceName` and `resource_tags_aws_ecs_service_name` alike): calibration splits Fargate
    usage between services with it. DuckDB only."""
    want = _norm_key(tag)
    keys = f"({lit(want)}, {lit('user' + want)})"
    norm = "regexp_replace(lower(e.key), '[^a-z0-9]', '', 'g')"
    name = cols.find("Tags") if fmt == "focus" else cols.find("resource_tags") if fmt == "cur2" else None
    if name is not None:
        col = ident(name)
        m = (f"CAST({col} AS MAP(VARCHAR, VARCHAR))" if cols.types[name].upper().startswith("MAP") else
             f"CAST(CAST(NULLIF(TRIM(CAST({col} AS VARCHAR)), '') AS JSON) AS MAP(VARCHAR, VARCHAR))")
        return f"COALESCE(list_filter(map_entries({m}), lambda e: {norm} IN {keys})[1].value, '')"
    found = [c for c in cols.types if _norm_key(re.sub(r"^(resourcetags/|resource_tags_)", "", c.lower()))
             in (want, "user" + want)]
    if not found:
        return "''"
    return "COALESCE(" + ", ".join(f"NULLIF(CAST({ident(c)} AS VARCHAR), '')" for c in found) + ", '')"


def _column_tag(cols: Columns, keys: set[str], bare: str) -> str:
    """Legacy CUR: one column per tag (`resourceTags/user:Environment`, `resource_tags_user_environment`)."""
    under = re.sub(r"[^a-z0-9]", "_", bare.lower())
    wanted = {f"resourcetags/{k}" for k in keys} | {f"resource_tags_user_{under}", f"resource_tags_{under}"}
    found = [c for c in cols.types if c.lower() in wanted]
    if not found:
        return "''"
    return "COALESCE(" + ", ".join(f"NULLIF(CAST({ident(c)} AS VARCHAR), '')" for c in found) + ", '')"


def select_sql(fmt: str, cols: Columns, source: str, tag_key: str, dialect: str = "duckdb",
               hourly: bool = False, group: str | None = None) -> str:
    """SELECT of the internal columns from `source` (a DuckDB table expression, or an Athena table with
    dialect="trino": the same SQL but for the map functions)."""
    bare, keys = tag_names(tag_key)
    if fmt == "focus":
        kind = ("CASE WHEN lower({cc}) = 'correction' THEN 'correction' "
                "WHEN {cat} = 'tax' THEN 'tax' WHEN {cat} = 'credit' THEN 'credit' "
                "WHEN {cat} = 'purchase' THEN 'purchase' WHEN {cat} = 'adjustment' THEN 'adjustment' "
                "ELSE 'usage' END").format(cc=_text(cols, "ChargeClass"),
                                           cat=f"lower({_text(cols, 'ChargeCategory')})")
        service = (f"COALESCE(NULLIF({_text(cols, 'x_ServiceCode')}, ''), {_text(cols, 'ServiceName')})"
                   if cols.has("x_ServiceCode") else _text(cols, "ServiceName"))
        fields = {
            "day": _day(cols, "ChargePeriodStart", hourly=hourly),
            "tag": _map_tag(cols, cols.find("Tags"), keys, dialect),
            "service": service,
            "usage_type": _text(cols, "x_UsageType"),
            "unit": _text(cols, "ConsumedUnit", "PricingUnit"),
            "quantity": _money(cols, "ConsumedQuantity"),
            "unblended": _money(cols, "BilledCost"),
            "amortized": _money(cols, "EffectiveCost", "BilledCost"),
            "kind": kind,
            "region": _text(cols, "RegionId", "Region"),
            "account": _text(cols, "SubAccountId", "BillingAccountId"),
            "currency": _text(cols, "BillingCurrency"),
            "provider": _text(cols, "ProviderName", "Provider"),
        }
    elif fmt in ("cur2", "cur-legacy"):
        slash = cols.has("lineItem/UnblendedCost")

        def n(snake: str, legacy: str) -> str:
            return legacy if slash else snake

        lt = _text(cols, n("line_item_line_item_type", "lineItem/LineItemType"))
        unblended = _money(cols, n("line_item_unblended_cost", "lineItem/UnblendedCost"))
        ri_arn = cols.find(n("reservation_reservation_a_r_n", "reservation/ReservationARN"))
        fee_amortized = f"CASE WHEN {_text(cols, ri_arn)} <> '' THEN 0 ELSE {unblended} END" if ri_arn else unblended
        # The amortized view AWS documents for CUR (and Cost Explorer's AmortizedCost): covered usage at its
        # effective cost, negations and upfront fees out, recurring commitment fees only for what went unused.
        amortized = (
            f"CASE {lt} "
            f"WHEN 'SavingsPlanCoveredUsage' THEN "
            f"{_money(cols, n('savings_plan_savings_plan_effective_cost', 'savingsPlan/SavingsPlanEffectiveCost'))} "
            f"WHEN 'DiscountedUsage' THEN {_money(cols, n('reservation_effective_cost', 'reservation/EffectiveCost'))} "
            f"WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0 "
            f"WHEN 'SavingsPlanRecurringFee' THEN "
            f"{_money(cols, n('savings_plan_total_commitment_to_date', 'savingsPlan/TotalCommitmentToDate'))} - "
            f"{_money(cols, n('savings_plan_used_commitment', 'savingsPlan/UsedCommitment'))} "
            f"WHEN 'RIFee' THEN "
            f"{_money(cols, n('reservation_unused_amortized_upfront_fee_for_billing_period', 'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod'))} + "  # noqa: E501
            f"{_money(cols, n('reservation_unused_recurring_fee', 'reservation/UnusedRecurringFee'))} "
            f"WHEN 'Fee' THEN {fee_amortized} "
            f"ELSE {unblended} END")
        kind = (f"CASE {lt} WHEN 'Tax' THEN 'tax' WHEN 'Credit' THEN 'credit' WHEN 'Refund' THEN 'refund' "
                f"WHEN 'Fee' THEN 'purchase' WHEN 'RIFee' THEN 'purchase' WHEN 'SavingsPlanUpfrontFee' THEN 'purchase' "
                f"WHEN 'SavingsPlanRecurringFee' THEN 'purchase' "
                f"WHEN 'Discount' THEN 'discount' WHEN 'BundledDiscount' THEN 'discount' "
                f"WHEN 'EdpDiscount' THEN 'discount' WHEN 'PrivateRateDiscount' THEN 'discount' "
                f"WHEN 'DistributorDiscount' THEN 'discount' ELSE 'usage' END")
        if fmt == "cur2" and not slash:
            tag = _map_tag(cols, cols.find("resource_tags"), keys, dialect)
        else:
            tag = _column_tag(cols, keys, bare)
        svc = cols.find(n("product_servicecode", "product/servicecode"))
        code = cols.find(n("line_item_product_code", "lineItem/ProductCode"))
        if svc and code:
            service = f"COALESCE(NULLIF({_text(cols, svc)}, ''), {_text(cols, code)})"
        else:
            service = _text(cols, *(c for c in (svc, code) if c))
        fields = {
            "day": _day(cols, n("line_item_usage_start_date", "lineItem/UsageStartDate"), hourly=hourly),
            "tag": tag,
            "service": service,
            "usage_type": _text(cols, n("line_item_usage_type", "lineItem/UsageType")),
            "unit": _text(cols, n("pricing_unit", "pricing/unit")),
            "quantity": _money(cols, n("line_item_usage_amount", "lineItem/UsageAmount")),
            "unblended": unblended,
            "amortized": amortized,
            "kind": kind,
            "region": _text(cols, n("product_region_code", "product/regionCode"),
                            n("product_region", "product/region")),
            "account": _text(cols, n("line_item_usage_account_id", "lineItem/UsageAccountId")),
            "currency": _text(cols, n("line_item_currency_code", "lineItem/CurrencyCode")),
            "provider": "'AWS'",
        }
    else:
        raise ActualsError(f"format {fmt!r} is not read with SQL")
    if group:
        fields["grp"] = group_tag(cols, fmt, group)
    return "SELECT " + ", ".join(f"{expr} AS {name}" for name, expr in fields.items()) + f" FROM {source}"


def aggregate_sql(inner: str, start: date, end: date, group: bool = False) -> str:
    """Per day and every internal dimension: the sums. Valid in DuckDB and in Athena's Trino alike (ordinal GROUP
    BY, date literals), so an organisation's Athena runs the very query the tests run locally."""
    dims = "day, tag, service, usage_type, unit, kind, region, account, currency, provider" + (", grp" if group else "")
    ordinals = ", ".join(str(i) for i in range(1, 12 if group else 11))
    return (
        f"SELECT {dims}, "
        "SUM(quantity) AS quantity, SUM(unblended) AS unblended, SUM(amortized) AS amortized, COUNT(*) AS n "
        f"FROM ({inner}) t WHERE day >= DATE '{start.isoformat()}' AND day < DATE '{end.isoformat()}' "
        f"GROUP BY {ordinals} ORDER BY {ordinals}")
