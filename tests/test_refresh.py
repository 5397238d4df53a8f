"""`cost catalog refresh` against a local Price List mirror (bulk) and botocore's Stubber (API): the refreshed
catalog has the same prices for the same SKUs; every failure is one line and leaves the old catalog intact; and real
Price List documents nobody here wrote (tests/fixtures/pricelist-real) are read to the price string."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stackcost.catalog import Catalog, PriceRecord
from stackcost.catalog.refresh.errors import RefreshError, RefreshRefused
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.run import refresh
from tests.mirror import Mirror
from tests.pricelist_fixtures import (
    REGION,
    database_sp_rates,
    offer_document,
    price_list_items,
    published_rows,
    rate_rows,
    seoul_records,
)

BULK_OFFERS = ["AmazonECS", "AmazonRDS", "AmazonElastiCache", "AmazonEC2", "AWSELB", "AmazonCloudFront",
               "AWSDatabaseSavingsPlans", "FargateSpotFeed"]
FAST = Http(attempts=4, backoff_s=0.01, timeout_s=10)


def _pi_rates() -> list[dict[str, str]]:
    return [r for r in rate_rows() if "Performance Insights" in r["item"] and r["region"] == REGION]


def _db_sp_rates() -> list[dict[str, str]]:
    return [r for r in rate_rows() if r["item"].startswith("Database Savings Plan") and r["region"] == REGION]


def _digest(root: Path) -> dict[str, str]:
    return _digest_region(root, REGION)


def _digest_region(root: Path, region: str) -> dict[str, str]:
    d = root / region
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


def _prices(r: PriceRecord) -> tuple[Any, ...]:
    return (r.term, r.lease_years or 0, r.purchase_option, Decimal(r.price_usd), r.upfront,
            Decimal(-1) if r.tier_start is None else Decimal(r.tier_start),
            Decimal(-1) if r.tier_end is None else Decimal(r.tier_end), r.service, r.usage_type.split(":")[0],
            json.dumps({k: v for k, v in r.attributes.items() if k not in ("vcpu", "memory", "licenseModel")},
                       sort_keys=True))


def _same_prices(before: Catalog, after: Catalog, offers: list[str]) -> None:
    for offer in offers:
        old = sorted(_prices(r) for r in before.records if r.offer_code == offer and r.region == REGION)
        new = sorted(_prices(r) for r in after.records if r.offer_code == offer and r.region == REGION)
        assert old == new, offer


@pytest.fixture(scope="module")
def records() -> list[PriceRecord]:
    return seoul_records()


def test_bulk_refresh_rebuilds_the_same_prices(catalog_copy: Path, records: list[PriceRecord]) -> None:
    before = Catalog.load(REGION, catalog_copy)
    with Mirror(records) as m:
        result = refresh("bulk", endpoint=m.url, spot_url=f"{m.url}/fargate-spot-prices.json", services=BULK_OFFERS,
                         root=catalog_copy, http=FAST)
    after = Catalog.load(REGION, catalog_copy)
    # Database Savings Plans: see test_database_savings_plans_refresh_keeps_every_rate.
    kept = [o for o in BULK_OFFERS if o != "AWSDatabaseSavingsPlans"]
    _same_prices(before, after, kept)
    assert all(result.diff.offers[o].changed == result.diff.offers[o].removed == result.diff.offers[o].added == 0
               for o in kept)
    rds = result.diff.offers["AmazonRDS"]
    # Every AmazonRDS row of the Seoul prices is found again; the Performance Insights rates (rates.csv) have no
    # rate code, so nothing in a Price List can match them: they are kept, and counted as such.
    # On-demand rows whose source gave no SKU are found through the SKU of the same product's reservations;
    # those without any (db.m7i / db.r7i: no RI in the data) cannot be matched either and are kept.
    rows = [r for r in published_rows() if r["offer_code"] == "AmazonRDS"]
    reserved = {(r["usage_type"], r["description"].split(" RI ")[0].rsplit(" ", 1)[0]) for r in rows
                if r["term"] == "Reserved" and "sku=" in r["attributes"]}
    no_sku = [r for r in rows if "sku=" not in r["attributes"]
              and (r["usage_type"], r["description"].removesuffix(" on-demand").rsplit(" ", 1)[0]) not in reserved]
    assert rds.unchanged == len(rows) - len(no_sku)
    assert rds.kept_unmatched == len(_pi_rates()) + len(no_sku)
    # Records a source gave without a rate code gained the SKU and rate code of the Price List.
    db = after.price("AmazonRDS", usage_type="APN2-Multi-AZUsage:db.t3.medium", databaseEngine="PostgreSQL")
    assert db.rate_code == "95ZN5CFGUHAV45ZD.JRTCKXETXF.6YS6EN2CT7" and db.price_usd == "0.224"
    assert db.published_note.startswith("AWS Price List bulk file") and db.source_path.startswith(m.url)
    refreshes = {**after.manifest["refreshes"], **(after.global_manifest or {}).get("refreshes", {})}
    assert set(refreshes) == set(BULK_OFFERS) and refreshes["AmazonECS"]["source"] == "bulk"
    # The estimate is unchanged to the cent.
    from stackcost.estimate import estimate
    from stackcost.sizing.load import load_stack

    stack = load_stack(None)[0]
    assert estimate(stack, "production", after).total == estimate(stack, "production", before).total


def test_bulk_refresh_cli_with_a_price_change_and_dry_run(catalog_copy: Path, records: list[PriceRecord]) -> None:
    vcpu = "DS579H2QDYXPJDKE.JRTCKXETXF.6YS6EN2CT7"  # Fargate Linux/x86 vCPU-hour, 0.04656 in the data
    env = {**os.environ, "STACKCOST_PRICING_DATA": str(catalog_copy), "COLUMNS": "200"}
    before = _digest(catalog_copy)
    with Mirror(records, overrides={vcpu: "0.05"}) as m:
        args = [sys.executable, "-m", "stackcost", "catalog", "refresh", "--source", "bulk", "--endpoint", m.url,
                "--service", "AmazonECS"]
        dry = subprocess.run([*args, "--dry-run"], capture_output=True, text=True, env=env, timeout=60)
        assert dry.returncode == 0, dry.stderr
        # (0.05 − 0.04656) / 0.04656 = +7.39 %
        pct = ((Decimal("0.05") - Decimal("0.04656")) / Decimal("0.04656") * 100).quantize(Decimal("0.01"))
        assert "dry run: nothing was written" in dry.stdout and f"+{pct}%" in dry.stdout
        assert _digest(catalog_copy) == before
        real = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert real.returncode == 0, real.stderr
    assert "installed" in real.stdout
    after = Catalog.load(REGION, catalog_copy)
    assert after.price("AmazonECS", usage_type="APN2-Fargate-vCPU-Hours:perCPU").price_usd == "0.05"


def test_throttling_is_retried(catalog_copy: Path, records: list[PriceRecord]) -> None:
    with Mirror(records) as m:
        path = m.path_of("AmazonECS")
        m.faults[path] = ["429", "503", "429"]
        refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy, http=FAST)
        assert m.hits[path] == 3 + 1  # three refusals, then the download


@pytest.mark.parametrize(("fault", "message"), [
    (["503"] * 4, "HTTP 503 Service Unavailable after 4 attempts"),
    (["truncate"], "download truncated"),
    (["malformed"], "malformed JSON"),
])
def test_failures_leave_the_old_catalog(catalog_copy: Path, records: list[PriceRecord], fault: list[str],
                                        message: str) -> None:
    before = _digest(catalog_copy)
    with Mirror(records) as m:
        m.faults[m.path_of("AmazonRDS")] = list(fault)
        with pytest.raises(RefreshError, match=message):
            refresh("bulk", endpoint=m.url, services=["AmazonECS", "AmazonRDS"], root=catalog_copy, http=FAST)
    assert _digest(catalog_copy) == before
    Catalog.load(REGION, catalog_copy)


def test_cli_failure_is_one_line(catalog_copy: Path, records: list[PriceRecord]) -> None:
    env = {**os.environ, "STACKCOST_PRICING_DATA": str(catalog_copy)}
    with Mirror(records) as m:
        m.faults[m.path_of("AmazonECS")] = ["malformed"]
        r = subprocess.run([sys.executable, "-m", "stackcost", "catalog", "refresh", "--endpoint", m.url,
                            "--service", "AmazonECS"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("error: http://127.0.0.1:") and "malformed JSON" in r.stderr


def test_losing_records_is_refused_unless_forced(catalog_copy: Path, records: list[PriceRecord]) -> None:
    before = _digest(catalog_copy)
    with Mirror(records) as m:
        doc = offer_document("AmazonRDS", records)
        doc["terms"]["Reserved"] = {}  # every reservation gone
        m.put(m.path_of("AmazonRDS"), doc)
        # Counted in the input files: the reserved AmazonRDS rows, of all AmazonRDS rows plus the PI rates.
        reserved = sum(1 for r in published_rows() if r["offer_code"] == "AmazonRDS" and r["term"] == "Reserved")
        rds = sum(1 for r in published_rows() if r["offer_code"] == "AmazonRDS") + len(_pi_rates())
        with pytest.raises(RefreshRefused, match=f"AmazonRDS would lose {reserved} of its {rds} records"):
            refresh("bulk", endpoint=m.url, services=["AmazonRDS"], root=catalog_copy, http=FAST)
        assert _digest(catalog_copy) == before
        result = refresh("bulk", endpoint=m.url, services=["AmazonRDS"], root=catalog_copy, http=FAST, force=True)
    assert result.diff.offers["AmazonRDS"].removed == reserved
    assert not Catalog.load(REGION, catalog_copy).find("AmazonRDS", term="Reserved")


# -- Pricing API under botocore's Stubber ----------------------------------------------------------------------

class StubSession:
    """A boto3 session whose clients answer from Stubbers (no network, no credentials)."""

    def __init__(self) -> None:
        kw = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.clients = {"pricing": boto3.client("pricing", **kw), "savingsplans": boto3.client("savingsplans", **kw)}
        self.stubs = {k: Stubber(c) for k, c in self.clients.items()}

    def client(self, name: str, **_: Any) -> Any:
        return self.clients[name]


API_OFFERS = ["AmazonECS", "AmazonEC2", "AWSELB", "AmazonElastiCache", "AWSDatabaseSavingsPlans",
              "AWSComputeSavingsPlan"]


def _filters(offer: str, region: str) -> list[dict[str, str]]:
    """The GetProducts filters a refresh must send, written out: the offer, the region, and for the huge AmazonEC2
    offer only the NAT Gateway family."""
    f = [{"Type": "TERM_MATCH", "Field": "ServiceCode", "Value": offer},
         {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    if offer == "AmazonEC2":
        f.append({"Type": "TERM_MATCH", "Field": "productFamily", "Value": "NAT Gateway"})
    return f


def _stub_products(pricing: Stubber, offer: str, items: list[str], region: str = REGION) -> None:
    pages = [items[i:i + 100] for i in range(0, len(items), 100)] or [[]]
    for n, page in enumerate(pages):
        params: dict[str, Any] = {"ServiceCode": offer, "Filters": _filters(offer, region), "FormatVersion": "aws_v1",
                                  "MaxResults": 100}
        if n:
            params["NextToken"] = f"page-{n}"
        resp: dict[str, Any] = {"PriceList": page, "FormatVersion": "aws_v1"}
        if n + 1 < len(pages):
            resp["NextToken"] = f"page-{n + 1}"
        pricing.add_response("get_products", resp, params)


def _stub_savings_plans(sp: Stubber, plan_type: str, codes: list[str], results: list[dict[str, Any]]) -> None:
    sp.add_response("describe_savings_plans_offering_rates", {"searchResults": results},
                    {"savingsPlanTypes": [plan_type], "serviceCodes": codes,
                     "filters": [{"name": "region", "values": [REGION]}], "maxResults": 1000})


def test_api_refresh_under_the_stubber(catalog_copy: Path, records: list[PriceRecord]) -> None:
    s = StubSession()
    pricing, sp = s.stubs["pricing"], s.stubs["savingsplans"]
    for offer in ["AmazonECS", "AmazonEC2", "AWSELB", "AmazonElastiCache"]:
        _stub_products(pricing, offer, price_list_items(offer_document(offer, records)))
    _stub_savings_plans(sp, "Database", ["AmazonRDS", "AmazonElastiCache"], database_sp_rates(records))
    # No Seoul Compute Savings Plans rate is in the data, so the stubbed answer has none either.
    _stub_savings_plans(sp, "Compute", ["AmazonECS"], [])
    before = Catalog.load(REGION, catalog_copy)
    with pricing, sp:
        result = refresh("api", services=API_OFFERS, root=catalog_copy, session=s)
        pricing.assert_no_pending_responses()
        sp.assert_no_pending_responses()
    after = Catalog.load(REGION, catalog_copy)
    # Database Savings Plans: see the test below.
    _same_prices(before, after, [o for o in API_OFFERS if o != "AWSDatabaseSavingsPlans"])
    # The Valkey on-demand rows of the Seoul prices carry no SKU, so no Price List answer can match them.
    valkey = sum(1 for r in published_rows() if r["service"] == "ElastiCache" and r["term"] == "OnDemand"
                 and "Valkey" in r["description"] and "sku=" not in r["attributes"])
    assert result.diff.offers["AmazonElastiCache"].kept_unmatched == valkey
    assert after.manifest["refreshes"]["AmazonECS"]["source"] == "api"
    # Reference (us-east-1) Compute Savings Plans rates stay, never turned into Seoul prices.
    assert after.find("AmazonECS", term="SavingsPlan", region="us-east-1", include_reference=True)


@pytest.mark.parametrize("source", ["api", "bulk"])
def test_database_savings_plans_refresh_keeps_every_rate(catalog_copy: Path, records: list[PriceRecord],
                                                         source: str) -> None:
    # The rates as describe_savings_plans_offering_rates and the Savings Plans bulk file give them, with the usage
    # types as rates.csv writes them.
    before = Catalog.load(REGION, catalog_copy)
    if source == "api":
        s = StubSession()
        sp = s.stubs["savingsplans"]
        _stub_savings_plans(sp, "Database", ["AmazonRDS", "AmazonElastiCache"], database_sp_rates(records))
        with sp:
            result = refresh("api", services=["AWSDatabaseSavingsPlans"], root=catalog_copy, session=s)
    else:
        with Mirror(records) as m:
            result = refresh("bulk", endpoint=m.url, services=["AWSDatabaseSavingsPlans"], root=catalog_copy,
                             http=FAST)
    _same_prices(before, Catalog.load(REGION, catalog_copy), ["AWSDatabaseSavingsPlans"])
    assert result.diff.offers["AWSDatabaseSavingsPlans"].unchanged == len(_db_sp_rates())


def test_api_without_credentials_is_one_line(catalog_copy: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(STACKCOST_PRICING_DATA=str(catalog_copy), AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true")
    r = subprocess.run([sys.executable, "-m", "stackcost", "catalog", "refresh", "--source", "api", "--service",
                        "AmazonECS"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    # The newest publication date the catalog's manifest records, read here with json.
    manifest = json.loads((catalog_copy / REGION / "manifest.json").read_text(encoding="utf-8"))
    newest = max(o["published_max"] for o in manifest["offers"].values())
    assert r.stderr.strip() == f"error: no AWS credentials found; the cached catalog of {newest} is still in use"


def test_unknown_service_is_one_line(catalog_copy: Path) -> None:
    with pytest.raises(RefreshError, match="unknown service 'AmazonXYZ'"):
        refresh("bulk", services=["AmazonXYZ"], root=catalog_copy)


# -- real Price List documents (tests/fixtures/pricelist-real, see its SOURCE) --------------------------------------
# Expected values are read from each document with plain json here, never through the parser under test.

REAL = Path(__file__).parent / "fixtures" / "pricelist-real"


def _real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def _dims(terms: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """rateCode -> price dimension, for a product's terms {offerTermKey: term}."""
    return {d["rateCode"]: d for term in terms.values() for d in term["priceDimensions"].values()}


def _offer_file_dims(doc: dict[str, Any], term_type: str = "OnDemand") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for terms in doc["terms"].get(term_type, {}).values():
        out.update(_dims(terms))
    return out


def _empty_catalog(root: Path, region: str) -> None:
    """A region with no catalog yet: refresh needs one to load, so it starts from an empty one."""
    from stackcost.catalog.store import write_catalog

    write_catalog(root / region, [], {"region": region})


def _serve(m: Mirror, offer: str, region: str, raw: bytes, version: str) -> None:
    """The region index of `offer` points at `raw`, served byte for byte as AWS published it."""
    base = f"/offers/v1.0/aws/{offer}"
    path = f"{base}/{version}/{region}/index.json"
    m.put(f"{base}/current/region_index.json",
          {"formatVersion": "v1.0", "regions": {region: {"regionCode": region, "currentVersionUrl": path}}})
    m.files[path] = raw


ECS_US_EAST_1 = "opencost-AmazonECS-us-east-1.json"


def _check_fargate_from_the_real_file(root: Path) -> Catalog:
    doc = _real(ECS_US_EAST_1)
    dims = _offer_file_dims(doc)
    fargate = {sku for sku, p in doc["products"].items() if "Fargate" in p["attributes"]["usagetype"]}
    after = Catalog.load("us-east-1", root)
    # Exactly the Fargate products' prices are kept (ECS on EC2 and ECS Anywhere are not priced by stackcost),
    # each with AWS's rate code, the price string of the document and its publication date.
    assert sorted(r.rate_code for r in after.records) == sorted(
        code for code in dims if code.split(".")[0] in fargate)
    for rec in after.records:
        assert Decimal(rec.price_usd) == Decimal(dims[rec.rate_code]["pricePerUnit"]["USD"]), rec.rate_code
        assert rec.published == doc["publicationDate"][:10] and rec.region == "us-east-1"
    # The two prices a Linux/x86 task is billed by, found by AWS's own usage types.
    for usage_type in ("USE1-Fargate-vCPU-Hours:perCPU", "USE1-Fargate-GB-Hours"):
        (sku,) = [k for k, p in doc["products"].items() if p["attributes"]["usagetype"] == usage_type]
        (dim,) = _dims(doc["terms"]["OnDemand"][sku]).values()
        assert after.price("AmazonECS", usage_type=usage_type).price == Decimal(dim["pricePerUnit"]["USD"])
    return after


def test_bulk_refresh_reads_a_real_fargate_offer_file(tmp_path: Path, records: list[PriceRecord]) -> None:
    _empty_catalog(tmp_path, "us-east-1")
    with Mirror(records) as m:
        _serve(m, "AmazonECS", "us-east-1", (REAL / ECS_US_EAST_1).read_bytes(), _real(ECS_US_EAST_1)["version"])
        result = refresh("bulk", region="us-east-1", endpoint=m.url, services=["AmazonECS"], root=tmp_path,
                         http=FAST)
    after = _check_fargate_from_the_real_file(tmp_path)
    assert result.diff.offers["AmazonECS"].added == len(after.records)


def test_api_refresh_reads_real_fargate_products(tmp_path: Path) -> None:
    # GetProducts gives the same products and terms one JSON string per product (price_list_items regroups the
    # real offer file that way; it does not touch a price).
    _empty_catalog(tmp_path, "us-east-1")
    s = StubSession()
    pricing = s.stubs["pricing"]
    _stub_products(pricing, "AmazonECS", price_list_items(_real(ECS_US_EAST_1)), region="us-east-1")
    with pricing:
        refresh("api", region="us-east-1", services=["AmazonECS"], root=tmp_path, session=s)
        pricing.assert_no_pending_responses()
    _check_fargate_from_the_real_file(tmp_path)


def test_every_real_fargate_product_stays_distinguishable(tmp_path: Path, records: list[PriceRecord]) -> None:
    _empty_catalog(tmp_path, "us-east-1")
    with Mirror(records) as m:
        _serve(m, "AmazonECS", "us-east-1", (REAL / ECS_US_EAST_1).read_bytes(), _real(ECS_US_EAST_1)["version"])
        refresh("bulk", region="us-east-1", endpoint=m.url, services=["AmazonECS"], root=tmp_path, http=FAST)
    after = Catalog.load("us-east-1", tmp_path)
    keys = [json.dumps(r.attributes, sort_keys=True) for r in after.records]
    assert len(set(keys)) == len(keys), sorted(keys)


def test_real_answers_without_nat_gateways_are_refused(catalog_copy: Path) -> None:
    # Two real GetProducts pages for AmazonEC2: botocore's documented example (with its NextToken) and a page
    # lyft/awspricing recorded; the last page's NextToken is left out so that the exchange ends there. Neither
    # holds a NAT Gateway: the refresh refuses to drop the catalog's NAT prices, and nothing is written.
    example = _real("botocore-pricing-GetProducts-example.json")["output"]
    page = _real("lyft-awspricing-AmazonEC2-get-products-page.json")
    s = StubSession()
    pricing = s.stubs["pricing"]
    params: dict[str, Any] = {"ServiceCode": "AmazonEC2", "Filters": _filters("AmazonEC2", REGION),
                              "FormatVersion": "aws_v1", "MaxResults": 100}
    pricing.add_response("get_products", {k: example[k] for k in ("FormatVersion", "NextToken", "PriceList")}, params)
    pricing.add_response("get_products", {"FormatVersion": page["FormatVersion"],
                                          "PriceList": [json.dumps(item) for item in page["PriceList"]]},
                         {**params, "NextToken": example["NextToken"]})
    nat_rows = sum(1 for r in published_rows() if r["offer_code"] == "AmazonEC2")
    before = _digest(catalog_copy)
    with pricing, pytest.raises(RefreshRefused, match=f"AmazonEC2 would lose all {nat_rows} of its records"):
        refresh("api", services=["AmazonEC2"], root=catalog_copy, session=s)
    pricing.assert_no_pending_responses()
    assert _digest(catalog_copy) == before


def test_a_real_offer_file_without_priced_products_is_an_error(tmp_path: Path, records: list[PriceRecord]) -> None:
    _empty_catalog(tmp_path, "us-east-1")
    raw = (REAL / "opencost-AmazonEC2-us-east-1-excerpt.json").read_bytes()
    before = _digest_region(tmp_path, "us-east-1")
    with Mirror(records) as m:
        _serve(m, "AmazonEC2", "us-east-1", raw, json.loads(raw)["version"])
        with pytest.raises(RefreshError, match="no AmazonEC2 products stackcost prices"):
            refresh("bulk", region="us-east-1", endpoint=m.url, services=["AmazonEC2"], root=tmp_path, http=FAST)
    assert _digest_region(tmp_path, "us-east-1") == before


def test_a_real_ec2_excerpt_without_a_standard_nat_price_is_refused(tmp_path: Path,
                                                                    records: list[PriceRecord]) -> None:
    """The lyft excerpt's only NAT Gateway product is provisioned bandwidth (EU-NatGateway-Prvd-Bytes, $0/GB):
    not the NAT data-processing price. With instances, EBS, snapshots and fees not taken either, nothing in the
    file is a price stackcost uses, so the refresh says so in one line and writes nothing."""
    doc = _real("lyft-awspricing-AmazonEC2-offer-excerpt.json")
    nat_usage = {p["attributes"]["usagetype"] for p in doc["products"].values() if p["productFamily"] == "NAT Gateway"}
    assert nat_usage == {"EU-NatGateway-Prvd-Bytes"}
    _empty_catalog(tmp_path, "eu-west-1")
    before = {f.name: f.read_bytes() for f in (tmp_path / "eu-west-1").iterdir()}
    raw = (REAL / "lyft-awspricing-AmazonEC2-offer-excerpt.json").read_bytes()
    with Mirror(records) as m:
        _serve(m, "AmazonEC2", "eu-west-1", raw, json.loads(raw)["version"])
        with pytest.raises(RefreshError, match="no AmazonEC2 products stackcost prices"):
            refresh("bulk", region="eu-west-1", endpoint=m.url, services=["AmazonEC2"], root=tmp_path, http=FAST)
    assert {f.name: f.read_bytes() for f in (tmp_path / "eu-west-1").iterdir()} == before


# The parser on its own, on every price dimension of every real document: what it reads equals what the document
# says, term by term (reservations with their upfront fee, tiers, zero prices).

def _parsed(items: list[tuple[dict[str, Any], dict[str, Any], str]]) -> dict[str, Any]:
    from stackcost.catalog.refresh.pricelist import from_terms

    out = {}
    for product, terms, published in items:
        for f in from_terms(product, terms, published):
            out[f.rate_code] = f
    return out


def _expected(terms_by_type: dict[str, dict[str, Any]]) -> dict[str, tuple[Decimal, Decimal | None, str, str]]:
    """rateCode -> (price, upfront fee or None, beginRange, endRange), straight from the document."""
    out = {}
    for term_type, terms in terms_by_type.items():
        for term in terms.values():
            dims = list(term["priceDimensions"].values())
            fee = next((Decimal(d["pricePerUnit"]["USD"]) for d in dims if d["unit"] == "Quantity"), None)
            if term_type == "Reserved" and fee is None:
                fee = Decimal(0)  # a No Upfront reservation
            for d in dims:
                if d["unit"] != "Quantity":
                    out[d["rateCode"]] = (Decimal(d["pricePerUnit"]["USD"]), fee, d.get("beginRange", "0"),
                                          d.get("endRange", "Inf"))
    return out


def _compare(parsed: dict[str, Any], expected: dict[str, tuple[Decimal, Decimal | None, str, str]]) -> None:
    assert sorted(parsed) == sorted(expected)
    for code, (price, fee, begin, end) in expected.items():
        f = parsed[code]
        assert Decimal(f.price_usd) == price, code
        assert (None if f.upfront_usd is None else Decimal(f.upfront_usd)) == fee, code
        assert Decimal(f.begin) == Decimal(begin) and (f.end is None) == (end == "Inf"), code
        assert end == "Inf" or Decimal(f.end) == Decimal(end), code


@pytest.mark.parametrize("name", [ECS_US_EAST_1, "opencost-AmazonEC2-us-east-1-excerpt.json",
                                  "lyft-awspricing-AmazonEC2-offer-excerpt.json"])
def test_parser_reads_every_dimension_of_a_real_offer_file(name: str) -> None:
    doc = _real(name)
    items = [(p, {t: doc["terms"][t][sku] for t in ("OnDemand", "Reserved") if sku in doc["terms"].get(t, {})},
              doc.get("publicationDate", "")[:10]) for sku, p in doc["products"].items()]
    expected: dict[str, tuple[Decimal, Decimal | None, str, str]] = {}
    for t in ("OnDemand", "Reserved"):
        for terms in doc["terms"].get(t, {}).values():
            expected.update(_expected({t: terms}))
    _compare(_parsed(items), expected)


@pytest.mark.parametrize("name", ["lyft-awspricing-AmazonRDS-product.json",
                                  "lyft-awspricing-AmazonEC2-get-products-page.json",
                                  "botocore-pricing-GetProducts-example.json"])
def test_parser_reads_every_dimension_of_real_get_products_items(name: str) -> None:
    from stackcost.catalog.refresh.pricelist import from_price_list_item

    doc = _real(name)
    if "PriceList" in doc:
        items = doc["PriceList"]
    elif "output" in doc:
        items = [json.loads(x) for x in doc["output"]["PriceList"]]  # the API's strings, decoded here
    else:
        items = [doc]
    parsed = {f.rate_code: f for item in items for f in from_price_list_item(item)}
    expected: dict[str, tuple[Decimal, Decimal | None, str, str]] = {}
    for item in items:
        expected.update(_expected(item["terms"]))
    _compare(parsed, expected)


# -- a refresh killed mid-write ----------------------------------------------------------------------------------

KILLER = """
import os, signal, sys
from pathlib import Path
import stackcost.catalog.store as store
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.run import refresh

kind, at = sys.argv[3], int(sys.argv[4])
calls = {"n": 0}
def hit():
    calls["n"] += 1
    if calls["n"] == at:
        os.kill(os.getpid(), signal.SIGKILL)
if kind == "write":
    real = Path.write_bytes
    def write_bytes(self, data):
        n = real(self, data[: len(data) // 2])  # half a file, then maybe die
        hit()
        return real(self, data)
    Path.write_bytes = write_bytes
else:
    real_rename = os.rename
    def rename(a, b):
        hit()
        return real_rename(a, b)
    store.os.rename = rename
refresh("bulk", endpoint=sys.argv[1], services=["AmazonECS", "AmazonRDS"], root=Path(sys.argv[2]),
        http=Http(attempts=2, backoff_s=0.01))
"""


@pytest.mark.parametrize(("kind", "at"), [("write", 1), ("write", 5), ("write", 12), ("rename", 1), ("rename", 2)])
def test_killed_refresh_leaves_a_loadable_catalog(catalog_copy: Path, records: list[PriceRecord], kind: str,
                                                  at: int) -> None:
    before = Catalog.load(REGION, catalog_copy)
    with Mirror(records, overrides={"DS579H2QDYXPJDKE.JRTCKXETXF.6YS6EN2CT7": "0.05"}) as m:
        r = subprocess.run([sys.executable, "-c", KILLER, m.url, str(catalog_copy), kind, str(at)],
                           capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert r.returncode == -9, r.stderr  # really killed
    after = Catalog.load(REGION, catalog_copy)  # loads (checksums verified), old or new, never a mixture
    assert len(after.records) == len(before.records)
    vcpu = after.price("AmazonECS", usage_type="APN2-Fargate-vCPU-Hours:perCPU").price_usd
    assert vcpu in ("0.04656", "0.05")
