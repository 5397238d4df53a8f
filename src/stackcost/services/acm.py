"""ACM public certificates: free with integrated services, shown as a $0 line so that they are visibly
considered (the catalog record is the documented no-charge rule, with its source)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, query
from stackcost.sizing.model import Environment

SERVICE = by_id("acm").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    acm = env.acm
    if acm is None or acm.public_certificates == 0:
        return []
    return [Component(SERVICE, "public certificates", "Certificates", fixed(acm.public_certificates),
                      price=query("AWSCertificateManager", term="FreeTier", chargeType="public-certificate"),
                      assumption=f"{acm.public_certificates} public certificate(s) on the ALB/CloudFront: no charge "
                                 "(public certificates used with integrated services are free; exportable ones and "
                                 "Private CA are not)")]
