"""Bulk offer-file parsing: throughput and peak memory for generated AmazonEC2-style files of 0.25 / 0.5 / 1 GB.

Each file is mostly products stackcost does not keep (EC2 instances), with the two real Seoul NAT Gateway
products; its prices reuse real Seoul price strings (no invented numbers). Every size is parsed in a fresh child
process, so the peak RSS (ru_maxrss) belongs to that parse alone. Run: `python bench/bulk_parse.py [sizes_mb...]`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(path: Path, target_bytes: int) -> int:
    from tests.pricelist_fixtures import offer_document, seoul_records

    nat = offer_document("AmazonEC2", seoul_records())
    filler_price = next(iter(next(iter(next(iter(nat["terms"]["OnDemand"].values())).values()))
                             ["priceDimensions"].values()))["pricePerUnit"]["USD"]
    n = 0
    with path.open("w") as fh:
        fh.write('{"formatVersion":"v1.0","offerCode":"AmazonEC2","version":"bench",'
                 '"publicationDate":"2025-10-27T00:00:00Z","products":{')
        for sku, prod in nat["products"].items():
            fh.write(f"{json.dumps(sku)}:{json.dumps(prod)},")
        half = target_bytes // 2
        while fh.tell() < half:
            chunk = []
            for _ in range(2000):
                sku = f"BENCH{n:011d}"
                chunk.append(json.dumps(sku) + ":" + json.dumps({"sku": sku, "productFamily": "Compute Instance",
                             "attributes": {"servicecode": "AmazonEC2", "regionCode": "ap-northeast-2",
                                            "usagetype": f"APN2-BoxUsage:bench.{n % 500}xlarge",
                                            "instanceType": f"bench.{n % 500}xlarge", "operatingSystem": "Linux",
                                            "tenancy": "Shared", "location": "Asia Pacific (Seoul)"}}))
                n += 1
            fh.write(",".join(chunk) + ",")
        fh.seek(fh.tell() - 1)
        fh.write('},"terms":{"OnDemand":{')
        for sku, terms in nat["terms"]["OnDemand"].items():
            fh.write(f"{json.dumps(sku)}:{json.dumps(terms)},")
        i = 0
        while fh.tell() < target_bytes and i < n:
            chunk = []
            for _ in range(2000):
                if i >= n:
                    break
                sku = f"BENCH{i:011d}"
                key = f"{sku}.JRTCKXETXF"
                chunk.append(json.dumps(sku) + ":" + json.dumps({key: {"offerTermCode": "JRTCKXETXF", "sku": sku,
                             "effectiveDate": "2025-10-01T00:00:00Z", "termAttributes": {}, "priceDimensions": {
                                 f"{key}.6YS6EN2CT7": {"rateCode": f"{key}.6YS6EN2CT7", "unit": "Hrs",
                                                       "description": "bench filler", "beginRange": "0",
                                                       "endRange": "Inf", "pricePerUnit": {"USD": filler_price}}}}}))
                i += 1
            fh.write(",".join(chunk) + ",")
        fh.seek(fh.tell() - 1)
        fh.write('},"Reserved":{}}}')
        return fh.tell()


CHILD = """
import resource, sys, time
from pathlib import Path
from stackcost.catalog.refresh.bulk import parse_offer_file
t = time.perf_counter()
out = parse_offer_file(Path(sys.argv[1]), "AmazonEC2", set())
dt = time.perf_counter() - t
print(len(out), dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    sizes = [int(s) for s in sys.argv[1:]] or [256, 512, 1024]
    print(f"| offer file | parse s | MB/s | peak RSS MB | records kept | ({os.cpu_count()} cores, 3 streamed passes) |")
    print("|--:|--:|--:|--:|--:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = Path(tmp) / f"ec2-{mb}.json"
            size = generate(path, mb * 1024 * 1024)
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
            kept, seconds, rss_kb = out.stdout.split()
            mbytes = size / 1024 / 1024
            print(f"| {mbytes:,.0f} MB | {float(seconds):.1f} | {mbytes / float(seconds):.0f} | "
                  f"{int(rss_kb) / 1024:.0f} | {kept} | |")
            path.unlink()


if __name__ == "__main__":
    main()
