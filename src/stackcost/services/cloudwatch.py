"""CloudWatch: log ingestion and storage, custom metrics (tiered), alarms, Container Insights, and the logs
other services write into it (RDS exports, Enhanced Monitoring)."""

from __future__ import annotations

from decimal import Decimal

from stackcost.autoscaling import target_tracking_alarms
from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services import cloudwatch_usage
from stackcost.services.base import Component, PriceQuery, fixed, n, query
from stackcost.services.container_insights import metric_count
from stackcost.sizing.model import Band, Environment

SERVICE = by_id("cloudwatch").label


def _cw(charge: Charge, *, tiered: bool = False) -> PriceQuery:
    return query("AmazonCloudWatch", tiered=tiered, attrs={Attr.charge: charge})


def components(env: Environment, catalog: Catalog) -> list[Component]:
    cw = env.cloudwatch
    out: list[Component] = []
    ingest = _cw(Charge.logs_ingestion_standard)

    def logs(label: str, gb: Band, why: str) -> None:
        if gb.high > 0:
            out.append(Component(SERVICE, label, "GB", gb, price=ingest, usage_based=True,
                                 assumption=f"{n(gb.typical)} GB/month {why}"))

    if cw is not None:
        logs("application logs ingested", cw.logs_ingested_gb, "from ECS tasks (awslogs)")
    if env.rds is not None:
        logs(f"PostgreSQL logs exported (log_statement={env.rds.log_statement})", env.rds.exported_logs_gb,
             "exported by RDS to CloudWatch Logs")
        if env.rds.enhanced_monitoring_interval_s:
            logs(f"RDS Enhanced Monitoring every {env.rds.enhanced_monitoring_interval_s} s",
                 env.rds.enhanced_monitoring_gb, "written to the RDSOSMetrics log group")
    if cw is None:
        return out + cloudwatch_usage.components(env, catalog)
    if cw.container_insights:
        logs("Container Insights performance logs", cw.container_insights_logs_gb, "of performance log events")
    if cw.logs_stored_gb.high > 0:
        out.append(Component(SERVICE, "log storage", "GB-Mo", cw.logs_stored_gb, price=_cw(Charge.logs_storage),
                             usage_based=True,
                             assumption=f"{n(cw.logs_stored_gb.typical)} GB kept on average (compressed)"))
    ci, ci_why = (cw.container_insights_metrics, "as given") if cw.container_insights_metrics is not None \
        else metric_count(env)
    metrics = cw.custom_metrics + (ci if cw.container_insights else 0)
    if metrics:
        why = f"{cw.custom_metrics} custom" + (f" + {ci} Container Insights ({ci_why})"
                                               if cw.container_insights else "")
        out.append(Component(SERVICE, "metrics", "Metrics-Mo", fixed(Decimal(metrics)),
                             price=_cw(Charge.custom_metrics, tiered=True),
                             assumption=f"{why} metrics"))
    scaling, scaling_why = target_tracking_alarms(env)
    if cw.alarms + scaling:
        out.append(Component(SERVICE, "standard alarms", "Alarms-Mo", fixed(cw.alarms + scaling),
                             price=_cw(Charge.alarm_standard),
                             assumption=f"{cw.alarms} standard-resolution alarms + {scaling} from autoscaling "
                                        f"({scaling_why})"))
    return out + cloudwatch_usage.components(env, catalog)
