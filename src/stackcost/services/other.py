"""The smaller items the guide implies: Secrets Manager, WAF, Route 53, ECR."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import Component, PriceQuery, fixed, n, query
from stackcost.sizing.model import Environment

SECRETS, WAF, ROUTE53, ECR = (by_id(i).label for i in ("secretsmanager", "waf", "route53", "ecr"))


def _q(service_code: str, charge: Charge, *, tiered: bool = False) -> PriceQuery:
    return query(service_code, tiered=tiered, attrs={Attr.charge: charge})


def components(env: Environment, catalog: Catalog) -> list[Component]:
    o = env.other
    out: list[Component] = []
    if o.secrets:
        out.append(Component(SECRETS, "secrets", "Secrets-Mo", fixed(o.secrets),
                             price=_q("AWSSecretsManager", Charge.secrets), assumption=f"{o.secrets} secrets stored"))
    if o.secrets_api_requests.high > 0:
        out.append(Component(SECRETS, "API requests", "Requests", o.secrets_api_requests,
                             price=_q("AWSSecretsManager", Charge.api_requests), usage_based=True,
                             assumption=f"{n(o.secrets_api_requests.typical)} requests/month"))
    if o.waf.web_acls:
        out.append(Component(WAF, "web ACLs", "WebACL-Mo", fixed(o.waf.web_acls), price=_q("awswaf", Charge.web_acl),
                             assumption=f"{o.waf.web_acls} web ACL"))
        if o.waf.rules:
            out.append(Component(WAF, "rules", "Rules-Mo", fixed(o.waf.rules), price=_q("awswaf", Charge.rules),
                                 assumption=f"{o.waf.rules} rules (a managed rule group counts as one)"))
        if o.waf.requests.high > 0:
            out.append(Component(WAF, "requests inspected", "Requests", o.waf.requests,
                                 price=_q("awswaf", Charge.requests), usage_based=True,
                                 assumption=f"{n(o.waf.requests.typical)} requests/month"))
    if o.route53.hosted_zones:
        out.append(Component(ROUTE53, "hosted zones", "HostedZone-Mo", fixed(o.route53.hosted_zones),
                             price=_q("AmazonRoute53", Charge.hosted_zones, tiered=True),
                             assumption=f"{o.route53.hosted_zones} hosted zone(s) (global price)"))
    # Alias queries to ALB/CloudFront/S3 records are free (Route 53 pricing): only the rest is billed.
    billed = o.route53.queries.scaled(1 - o.route53.alias_query_share)
    if billed.high > 0:
        alias = f" × {n((1 - o.route53.alias_query_share) * 100)}% not alias (alias queries to AWS resources are " \
                "free)" if o.route53.alias_query_share else ""
        out.append(Component(ROUTE53, "standard queries", "Queries", billed,
                             price=_q("AmazonRoute53", Charge.queries_standard, tiered=True), usage_based=True,
                             assumption=f"{n(o.route53.queries.typical)} queries/month{alias} (global price)"))
    if o.ecr_storage_gb.high > 0:
        out.append(Component(ECR, "image storage", "GB-Mo", o.ecr_storage_gb, price=_q("AmazonECR", Charge.storage),
                             usage_based=True, assumption=f"{n(o.ecr_storage_gb.typical)} GB of images"))
    return out
