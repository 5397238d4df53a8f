"""The pricers issue #13 added, in output order (after the original services): read replicas and CPU credits
beside RDS, then Aurora, ElastiCache Serverless, CloudWatch dashboards/API, X-Ray, KMS, ACM, interface
endpoints, NLB."""

from __future__ import annotations

from collections.abc import Callable

from stackcost.catalog import Catalog
from stackcost.services import (
    acm,
    aurora,
    burstable,
    cloudwatch_usage,
    elasticache_serverless,
    kms,
    nlb,
    rds_replicas,
    vpc_endpoints,
    xray,
)
from stackcost.services.base import Component
from stackcost.sizing.model import Environment

ADDED_SERVICES: list[Callable[[Environment, Catalog], list[Component]]] = [
    rds_replicas.components, burstable.components, aurora.components, elasticache_serverless.components,
    cloudwatch_usage.components, xray.components, kms.components, acm.components, vpc_endpoints.components,
    nlb.components,
]
