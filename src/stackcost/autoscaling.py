"""Autoscaling in the estimate: the high band runs each service at its maximum, and target-tracking policies
create CloudWatch alarms."""

from __future__ import annotations

from decimal import Decimal

from stackcost.sizing.model import Band, Environment, FargateService

# Application Auto Scaling creates two CloudWatch alarms per target-tracking policy (one to scale out, one to
# scale in: Application Auto Scaling User Guide, "Target tracking scaling policies").
ALARMS_PER_TARGET_TRACKING_POLICY = 2


def task_band(svc: FargateService) -> Band:
    """Average running tasks at each band level. Low and typical are the profile's mean (else `desired`); the
    high band runs the autoscaling maximum all month unless a profile says for how many hours."""
    typical = svc.tasks.average
    high = typical if svc.tasks.profile or svc.tasks.max is None else Decimal(svc.tasks.max)
    return Band(low=typical, typical=typical, high=max(high, typical))


def target_tracking_alarms(env: Environment) -> tuple[int, str]:
    policies = sum(s.target_tracking_policies for s in env.fargate)
    alarms = policies * ALARMS_PER_TARGET_TRACKING_POLICY
    return alarms, f"{policies} target-tracking policies × {ALARMS_PER_TARGET_TRACKING_POLICY} alarms"
