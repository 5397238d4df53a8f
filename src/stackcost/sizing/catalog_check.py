"""Check the names in a sizing against the catalog before pricing, so a typo reads as a config error:
`staging.rds.instance_class: db.t3.mediun not in the Seoul catalog (did you mean db.t3.medium?)`."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.regions import short_name
from stackcost.sizing.load import ConfigError
from stackcost.sizing.model import Environment


def _check(path: str, value: str, options: list[str], where: str) -> str | None:
    if value in options:
        return None
    import difflib  # only for a name that is not in the catalog

    near = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"{path}: {value} not in the {where} catalog{hint}"


def check_environment(name: str, env: Environment, catalog: Catalog) -> None:
    where = short_name(catalog.region)
    errors: list[str | None] = []
    if env.rds is not None:
        classes = catalog.values("AmazonRDS", "instanceType", product_family="Database Instance",
                                 databaseEngine="PostgreSQL")
        errors.append(_check(f"{name}.rds.instance_class", env.rds.instance_class, classes, where))
    if env.elasticache is not None:
        engine = {"redis": "Redis", "valkey": "Valkey"}[env.elasticache.engine]
        nodes = catalog.values("AmazonElastiCache", "instanceType", cacheEngine=engine)
        errors.append(_check(f"{name}.elasticache.node_type", env.elasticache.node_type, nodes,
                             f"{where} {engine}"))
    if env.aurora is not None:
        engine = {"aurora-postgresql": "Aurora PostgreSQL", "aurora-mysql": "Aurora MySQL"}[env.aurora.engine]
        classes = catalog.values("AmazonRDS", "instanceType", product_family="Database Instance",
                                 databaseEngine=engine)
        # A region without Aurora prices at all shows its lines unpriced; a class the region lacks is a typo.
        for i, inst in enumerate(env.aurora.instances):
            if classes and inst.instance_class != "db.serverless":
                errors.append(_check(f"{name}.aurora.instances[{i}].instance_class", inst.instance_class,
                                     [*classes, "db.serverless"], f"{where} {engine}"))
    if env.cloudfront is not None:
        groups = catalog.values("AmazonCloudFront", "edgeGroup", chargeType="transfer-internet")
        errors.append(_check(f"{name}.cloudfront.edge_group", env.cloudfront.edge_group, groups, where))
    found = [e for e in errors if e]
    if found:
        raise ConfigError(found)
