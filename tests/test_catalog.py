"""The shipped catalog: contents, exact lookup, suggestions, tiers, integrity."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from stackcost.catalog import AmbiguousPrice, Catalog, CatalogError, PriceNotFound, split_tiers, store
from stackcost.catalog.build import build
from stackcost.catalog.sources.shared import BuildError
from stackcost.paths import plain_path
from tests.conftest import FIXTURES
from tests.pricelist_fixtures import expected_record_count, rate_rows


def test_every_shared_price_point_is_in_the_catalog(catalog: Catalog) -> None:
    # Counted from the input files by plain csv (tests/pricelist_fixtures.py), not from a build.
    assert len(catalog.records) == expected_record_count()
    excluded = [r for r in rate_rows() if "TEST FIXTURE" in r["item"] or "HISTORICAL" in r["item"]]
    assert len(catalog.manifest["excluded"]) == len(excluded)


def test_multi_az_db_t3_medium_on_demand_and_its_three_reservations(catalog: Catalog) -> None:
    found = catalog.search("APN2-Multi-AZUsage:db.t3.medium")
    on_demand = [r for r in found if r.term == "OnDemand"]
    reserved = sorted((r.lease_years, r.purchase_option, r.price_usd, r.upfront_usd)
                      for r in found if r.term == "Reserved")
    assert [r.price_usd for r in on_demand] == ["0.224"]
    assert reserved == [(1, "No Upfront", "0.174", "0"), (1, "Partial Upfront", "0.0829", "726"),
                        (3, "Partial Upfront", "0.056", "1472")]
    assert all(r.rate_code.startswith("95ZN5CFGUHAV45ZD.") for r in found if r.term == "Reserved")


def test_exact_lookup_keeps_the_published_string(catalog: Catalog) -> None:
    rec = catalog.price("AmazonECS", usage_type="APN2-Fargate-vCPU-Hours:perCPU")
    assert rec.price_usd == "0.04656" and rec.price == Decimal("0.04656")
    assert rec.sku == "DS579H2QDYXPJDKE"
    assert rec.rate_code == "DS579H2QDYXPJDKE.JRTCKXETXF.6YS6EN2CT7"
    assert rec.published == "2025-10-27"


def test_no_match_names_the_filter_and_suggests(catalog: Catalog) -> None:
    with pytest.raises(PriceNotFound) as exc:
        catalog.price("AmazonRDS", instanceType="db.t3.mediun", deploymentOption="Multi-AZ")
    assert "instanceType='db.t3.mediun'" in str(exc.value)
    assert "did you mean instanceType='db.t3.medium'?" in str(exc.value)


def test_several_matches_are_ambiguous_never_a_guess(catalog: Catalog) -> None:
    with pytest.raises(AmbiguousPrice) as exc:
        catalog.price("AmazonRDS", instanceType="db.t3.medium", databaseEngine="PostgreSQL")
    assert len(exc.value.candidates) == 2  # Single-AZ and Multi-AZ


def test_unknown_service_code_is_suggested(catalog: Catalog) -> None:
    with pytest.raises(PriceNotFound, match="did you mean AmazonRDS"):
        catalog.price("AmazonRDX", usage_type="x")


def test_reference_rates_of_other_regions_are_never_returned_as_seoul_prices(catalog: Catalog) -> None:
    assert catalog.find("AmazonECS", term="SavingsPlan") == []
    ref = catalog.find("AmazonECS", term="SavingsPlan", include_reference=True, region="us-east-1")
    assert ref and all(r.confidence == "reference" for r in ref)


def test_gaps_are_listed_not_invented(catalog: Catalog) -> None:
    gaps = {(g["service"], g["offering"]) for g in catalog.manifest["gaps"]}
    assert ("RDS PostgreSQL", "1yr All Upfront") in gaps
    assert ("Fargate", "Compute Savings Plans (Fargate) 1yr No Upfront") in gaps
    assert not catalog.find("AmazonRDS", term="Reserved", purchase_option="All Upfront")


def test_s3_storage_tiers_split_exactly(catalog: Catalog) -> None:
    tiers = catalog.tiers("AmazonS3", usage_type="APN2-TimedStorage-ByteHrs")
    charges = split_tiers(Decimal(60 * 1024), tiers)  # 60 TB: 50 TB at 0.025, 10 TB at 0.024
    assert [(c.quantity, c.record.price_usd) for c in charges] == [(Decimal(51200), "0.025"),
                                                                     (Decimal(10240), "0.024")]
    assert sum(c.cost for c in charges) == Decimal(51200) * Decimal("0.025") + Decimal(10240) * Decimal("0.024")


def test_egress_free_allowance_is_data(catalog: Catalog) -> None:
    free = catalog.free_allowance("AWSDataTransfer", usage_type="APN2-DataTransfer-Out-Bytes")
    assert free == Decimal(100)
    tiers = catalog.tiers("AWSDataTransfer", usage_type="APN2-DataTransfer-Out-Bytes")
    charges = split_tiers(Decimal(150), tiers, free)
    assert [(c.quantity, c.record.price_usd) for c in charges] == [(Decimal(50), "0.126")]


def test_cloudfront_tiers_are_cumulative(catalog: Catalog) -> None:
    tiers = catalog.tiers("AmazonCloudFront", edgeGroup="Asia Pacific", chargeType="transfer-internet")
    bounds = [(t.tier_start, t.tier_end, t.price_usd) for t in tiers]
    assert bounds[0] == ("0", "10240", "0.12")
    assert bounds[-1] == ("5242880", None, "0.06")
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


VCPU = {"usage_type": "APN2-Fargate-vCPU-Hours:perCPU"}


def _checksum_line(path: Path) -> str:
    return (f"{path} does not match its checksum in manifest.json: the file was changed or truncated; restore it "
            "(git checkout pricing_data) or rebuild with `cost catalog build`")


def test_tampered_file_is_reported_not_used(catalog_copy: Path) -> None:
    # Offer files are read and checked when a lookup first needs them (a command reads only what it uses).
    f = catalog_copy / "ap-northeast-2" / "AmazonECS.jsonl"
    f.write_text(f.read_text().replace('"0.04656"', '"0.01"'))
    catalog = Catalog.load("ap-northeast-2", root=catalog_copy)
    for _ in range(2):  # and again on the next lookup: a refused file is never used
        with pytest.raises(CatalogError) as caught:
            catalog.price("AmazonECS", **VCPU)
        assert str(caught.value) == _checksum_line(f)
    with pytest.raises(CatalogError, match="does not match its checksum"):
        Catalog.load("ap-northeast-2", root=catalog_copy).verify()


def test_truncated_file_is_reported(catalog_copy: Path) -> None:
    f = catalog_copy / "ap-northeast-2" / "AmazonRDS.jsonl"
    f.write_bytes(f.read_bytes()[:1000])
    with pytest.raises(CatalogError) as caught:
        Catalog.load("ap-northeast-2", root=catalog_copy).verify()
    assert str(caught.value) == _checksum_line(f)


def test_a_file_changed_in_place_after_load_is_refused_on_first_use(catalog_copy: Path) -> None:
    catalog = Catalog.load("ap-northeast-2", root=catalog_copy)
    f = catalog_copy / "ap-northeast-2" / "AmazonECS.jsonl"
    f.write_text(f.read_text().replace('"0.04656"', '"0.01"'))  # same file, new contents
    with pytest.raises(CatalogError) as caught:
        catalog.price("AmazonECS", **VCPU)
    assert str(caught.value) == _checksum_line(f)


def test_a_catalog_swapped_in_after_load_is_not_mixed_with_the_loaded_manifest(catalog_copy: Path) -> None:
    """A refresh installs by renaming directories: a catalog loaded before the swap keeps reading the files its
    manifest describes (the old prices, checksums intact), one loaded after reads the new ones."""
    region = catalog_copy / "ap-northeast-2"
    before = Catalog.load("ap-northeast-2", root=catalog_copy)
    new = catalog_copy / ".ap-northeast-2.new"
    shutil.copytree(region, new)
    data = (new / "AmazonECS.jsonl").read_bytes().replace(b'"0.04656"', b'"0.05"')
    (new / "AmazonECS.jsonl").write_bytes(data)
    manifest = json.loads((new / "manifest.json").read_text())
    manifest["offers"]["AmazonECS"]["sha256"] = hashlib.sha256(data).hexdigest()
    (new / "manifest.json").write_text(json.dumps(manifest))
    store.swap_in(new, region)  # what a refresh's install does; the old directory is deleted
    assert not (catalog_copy / ".ap-northeast-2.old").exists()
    assert before.price("AmazonECS", **VCPU).price_usd == "0.04656"
    assert Catalog.load("ap-northeast-2", root=catalog_copy).price("AmazonECS", **VCPU).price_usd == "0.05"


def _rewrite(region: Path, offer: str, edit: Callable[[list[str]], list[str]]) -> None:
    """Edit an offer file's lines and put its checksum in the manifest (with hashlib: a valid catalog)."""
    f = region / f"{offer}.jsonl"
    data = ("\n".join(edit(f.read_text(encoding="utf-8").splitlines())) + "\n").encode("utf-8")
    f.write_bytes(data)
    manifest = json.loads((region / "manifest.json").read_text())
    manifest["offers"][offer]["sha256"] = hashlib.sha256(data).hexdigest()
    (region / "manifest.json").write_text(json.dumps(manifest))


def test_a_record_written_in_another_key_order_is_still_found(catalog_copy: Path) -> None:
    """Offers are parsed a term at a time, the term read off the line's text; a line not in the catalog's own
    form (keys reversed, `term` before a nested `attributes` holding a key named term) is parsed for any term."""
    def reverse(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            rec = json.loads(line)
            if rec["usage_type"] == VCPU["usage_type"] and rec["term"] == "OnDemand":
                rec["attributes"]["term"] = "Reserved"
                line = json.dumps(dict(reversed(list(rec.items()))), separators=(",", ":"))
            out.append(line)
        return out

    _rewrite(catalog_copy / "ap-northeast-2", "AmazonECS", reverse)
    assert Catalog.load("ap-northeast-2", root=catalog_copy).price("AmazonECS", **VCPU).price_usd == "0.04656"


def test_an_on_demand_estimate_does_not_parse_reserved_rates_an_optimizer_would(catalog_copy: Path) -> None:
    """A damaged reserved rate (checksum intact) stops what needs reserved rates, with the line, and nothing
    else: the offer's on-demand rates are parsed apart."""
    region = catalog_copy / "ap-northeast-2"
    lines = (region / "AmazonRDS.jsonl").read_text(encoding="utf-8").splitlines()
    bad = next(n for n, line in enumerate(lines, 1) if json.loads(line)["term"] == "Reserved")
    _rewrite(region, "AmazonRDS", lambda ls: [ln.replace('"price_usd":"', '"price_usd":"-') if n == bad else ln
                                              for n, ln in enumerate(ls, 1)])
    catalog = Catalog.load("ap-northeast-2", root=catalog_copy)
    assert catalog.price("AmazonRDS", usage_type="APN2-Multi-AZUsage:db.t3.medium",
                         databaseEngine="PostgreSQL").price_usd == "0.224"
    with pytest.raises(CatalogError, match=re.escape(f"AmazonRDS.jsonl:{bad}:")):
        catalog.find("AmazonRDS", term="Reserved")


def test_lookups_in_any_order_give_what_one_full_parse_gives(catalog_copy: Path) -> None:
    """Every list in the files' order whatever was asked before (a term, another term, no term, the empty term),
    and an odd request (term="") neither fails nor loses records for later lookups."""
    fresh = Catalog.load("ap-northeast-2", root=catalog_copy)
    full = {code: [r.to_json() for r in fresh.find(code, term=None, include_reference=True)]
            for code in ("AmazonECS", "AmazonRDS", "AWSDataTransfer")}
    used = Catalog.load("ap-northeast-2", root=catalog_copy)
    assert used.find("AmazonECR", term="") == []
    used.find("AmazonECS")
    used.find("AmazonRDS", term="Reserved")
    used.find("AWSDataTransfer", term="FreeTier")
    for code, expected in full.items():
        assert [r.to_json() for r in used.find(code, term=None, include_reference=True)] == expected, code
    assert len(used.find("AmazonECR")) == 1


def test_a_description_with_a_unicode_line_separator_stays_one_record(catalog_copy: Path) -> None:
    """The writer puts U+2028 in a line as it is; the reader splits records on newlines only."""
    def describe(lines: list[str]) -> list[str]:
        rec = json.loads(lines[0])
        rec["description"] += "\u2028second line"
        return [json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":")), *lines[1:]]

    _rewrite(catalog_copy / "ap-northeast-2", "AmazonECR", describe)
    (rec,) = Catalog.load("ap-northeast-2", root=catalog_copy).find("AmazonECR")
    assert rec.description.endswith("\u2028second line")


def test_records_come_in_the_files_order_whatever_was_parsed_first(catalog_copy: Path) -> None:
    catalog = Catalog.load("ap-northeast-2", root=catalog_copy)
    catalog.find("AmazonRDS", term="Reserved")
    catalog.find("AmazonECS")
    expected = []
    for name in ("ap-northeast-2", "global"):
        manifest = json.loads((catalog_copy / name / "manifest.json").read_text())
        for entry in manifest["offers"].values():
            expected += (catalog_copy / name / entry["file"]).read_text(encoding="utf-8").splitlines()
    assert [r.to_json() for r in catalog.records] == expected


def test_region_codes_are_checked_as_the_pattern_says(tmp_path: Path) -> None:
    pattern = re.compile(r"[a-z]{2}(-[a-z]+)+-\d|global")
    codes = ["ap-northeast-2", "us-gov-west-1", "eu-west-1", "global", "ap-northeast-\u0662", "ap-northeast-\u00b2",
             "ap-northeast-12", "ap-northeast-", "a-b-1", "abc-b-1", "ap--1", "ap-1", "AP-northeast-2", "ap-nörth-1",
             "ap-northeast-2\n", "globalx", "../../..", "", "ap-north east-1", "ap-northeast2-1"]
    for code in codes:
        with pytest.raises(CatalogError) as caught:
            Catalog.load(code, root=tmp_path)
        refused = "is not an AWS region code" in str(caught.value)
        assert refused == (pattern.fullmatch(code) is None), code


def test_missing_catalog_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cost catalog build"):
        Catalog.load("ap-northeast-2", root=tmp_path)


def test_build_reproduces_the_shipped_catalog_byte_for_byte(tmp_path: Path) -> None:
    target = build(FIXTURES / "aws-prices", "ap-northeast-2", tmp_path)
    shipped = Path(__file__).parent.parent / "pricing_data" / "ap-northeast-2"
    built = sorted(p.name for p in target.iterdir())
    assert built == sorted(p.name for p in shipped.iterdir())
    for name in built:
        assert (target / name).read_bytes() == (shipped / name).read_bytes(), name


def test_build_rejects_a_directory_in_another_layout(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"seoul_prices\.csv"):
        build(tmp_path, "ap-northeast-2", tmp_path / "out")


def test_manifest_counts_and_checksums_match_the_files() -> None:
    # The manifest against the files it describes, read here with hashlib and json (not through the catalog code).
    directory = Path(__file__).parent.parent / "pricing_data" / "ap-northeast-2"
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in directory.glob("*.jsonl"))
    assert sorted(o["file"] for o in manifest["offers"].values()) == files
    for offer, entry in manifest["offers"].items():
        data = (directory / entry["file"]).read_bytes()
        lines = [json.loads(x) for x in data.decode("utf-8").splitlines() if x.strip()]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), offer
        assert entry["records"] == len(lines), offer
        assert all(rec["offer_code"] == offer for rec in lines), offer


def test_catalog_paths_are_named_as_pathlib_names_them() -> None:
    # Messages name catalog files by plain strings now; each must read as str(Path(...)) did.
    for text in ["pricing_data", "./pricing_data/", "/tmp//x/./y/", "//net/share", "///abs", "a/../b", ".", "./",
                 "/", "x/.", "~/p", "a//b//"]:
        assert plain_path(text) == str(Path(text)), text


@pytest.mark.parametrize("data", [
    b'{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"], "b": {}}', b'  {"a": 1}\n\n', b'{"a": NaN}',
    b'{"a": Infinity, "b": -Infinity}', b'\xef\xbb\xbf{"a": 1}', '{"a": "\u00e9"}'.encode("utf-16"),
    b'{"a": 1} x', b'{"a": 1}{"b": 2}', b'{"a": }', b"", b"   ", b"[1, 2", b'{"a": "\xff"}', b'"\\ud800"', b"7",
    b'{"a": 1, "a": 2}', b'{"a": "tab\tinside"}', b"1" * 5000,
])
def test_the_manifest_reader_parses_exactly_as_json_loads(data: bytes) -> None:
    # store reads JSON without importing json (CPython's C scanner, json.loads for anything else): the same
    # value, or the same exception with the same message, as json.loads.
    try:
        expected: object = json.loads(data)
    except ValueError as exc:
        with pytest.raises(type(exc)) as caught:
            store._loads_bytes(data)
        assert str(caught.value) == str(exc)
    else:
        got = store._loads_bytes(data)
        assert json.dumps(got) == json.dumps(expected)
