"""CloudWatch dashboards and API requests (their always-free amounts are allocated per account by
stackcost.allowances)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("cloudwatch").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    cw = env.cloudwatch
    if cw is None:
        return []
    out: list[Component] = []
    if cw.dashboards:
        out.append(Component(SERVICE, "dashboards", "Dashboards-Mo", fixed(cw.dashboards),
                             price=query("AmazonCloudWatch", chargeType="dashboards"),
                             assumption=f"{cw.dashboards} dashboards"))
    if cw.api_requests.high > 0:
        out.append(Component(SERVICE, "API requests", "Requests", cw.api_requests,
                             price=query("AmazonCloudWatch", chargeType="api-requests"), usage_based=True,
                             assumption=f"{n(cw.api_requests.typical)} requests/month (GetMetricStatistics, "
                                        "ListMetrics, PutMetricData ...; GetMetricData is priced per metric)"))
    return out
