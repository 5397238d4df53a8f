"""The smaller items the guide implies: Secrets Manager, WAF, Route 53, ECR."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.services.base import Component, fixed, n
from stackcost.sizing.model import Environment


def components(env: Environment, catalog: Catalog) -> list[Component]:
    o = env.other
    out: list[Component] = []
    if o.secrets:
        rec = catalog.price("AWSSecretsManager", chargeType="secrets")
        out.append(Component("Secrets Manager", "secrets", "Secrets-Mo", fixed(o.secrets), (rec,),
                             assumption=f"{o.secrets} secrets stored"))
    if o.secrets_api_requests.high > 0:
        rec = catalog.price("AWSSecretsManager", chargeType="api-requests")
        out.append(Component("Secrets Manager", "API requests", "Requests", o.secrets_api_requests, (rec,),
                             usage_based=True, assumption=f"{n(o.secrets_api_requests.typical)} requests/month"))
    if o.waf.web_acls:
        acl = catalog.price("awswaf", chargeType="web-acl")
        out.append(Component("WAF", "web ACLs", "WebACL-Mo", fixed(o.waf.web_acls), (acl,),
                             assumption=f"{o.waf.web_acls} web ACL"))
        if o.waf.rules:
            rule = catalog.price("awswaf", chargeType="rules")
            out.append(Component("WAF", "rules", "Rules-Mo", fixed(o.waf.rules), (rule,),
                                 assumption=f"{o.waf.rules} rules (a managed rule group counts as one)"))
        if o.waf.requests.high > 0:
            req = catalog.price("awswaf", chargeType="requests")
            out.append(Component("WAF", "requests inspected", "Requests", o.waf.requests, (req,), usage_based=True,
                                 assumption=f"{n(o.waf.requests.typical)} requests/month"))
    if o.route53.hosted_zones:
        tiers = tuple(catalog.tiers("AmazonRoute53", chargeType="hosted-zones"))
        out.append(Component("Route 53", "hosted zones", "HostedZone-Mo", fixed(o.route53.hosted_zones), tiers,
                             assumption=f"{o.route53.hosted_zones} hosted zone(s) (global price)"))
    # Alias queries to ALB/CloudFront/S3 records are free (Route 53 pricing): only the rest is billed.
    billed = o.route53.queries.scaled(1 - o.route53.alias_query_share)
    if billed.high > 0:
        tiers = tuple(catalog.tiers("AmazonRoute53", chargeType="queries-standard"))
        alias = f" × {n((1 - o.route53.alias_query_share) * 100)}% not alias (alias queries to AWS resources are " \
                "free)" if o.route53.alias_query_share else ""
        out.append(Component("Route 53", "standard queries", "Queries", billed, tiers, usage_based=True,
                             assumption=f"{n(o.route53.queries.typical)} queries/month{alias} (global price)"))
    if o.ecr_storage_gb.high > 0:
        rec = catalog.price("AmazonECR", chargeType="storage")
        out.append(Component("ECR", "image storage", "GB-Mo", o.ecr_storage_gb, (rec,), usage_based=True,
                             assumption=f"{n(o.ecr_storage_gb.typical)} GB of images"))
    return out
