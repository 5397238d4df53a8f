"""KMS: customer managed keys per month and symmetric API requests (the account's free requests are
allocated by stackcost.allowances)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("kms").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    kms = env.kms
    if kms is None:
        return []
    out: list[Component] = []
    if kms.keys:
        out.append(Component(SERVICE, "customer managed keys", "Keys-Mo", fixed(kms.keys),
                             price=query("awskms", chargeType="customer-managed-key"),
                             assumption=f"{kms.keys} keys (AWS managed keys are free; automatic rotation adds a "
                                        "key-month per rotated version)"))
    if kms.requests.high > 0:
        out.append(Component(SERVICE, "symmetric requests", "Requests", kms.requests,
                             price=query("awskms", chargeType="requests-symmetric"), usage_based=True,
                             assumption=f"{n(kms.requests.typical)} requests per month"))
    return out
