"""The sizing model: one YAML file, environments, and per-service sizing (pydantic v2, unknown keys refused).

Usage-driven values (GB, requests, connections, logs) are `Band`s: a number, or {low, typical, high}.
The headline estimate uses `typical`; the band gives the range.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from stackcost.regions import DEFAULT_REGION
from stackcost.sizing import fargate_sizes
from stackcost.util import plain


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Band(_Strict):
    low: Decimal
    typical: Decimal
    high: Decimal

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, value: Any) -> Any:
        if isinstance(value, int | float | str | Decimal) and not isinstance(value, bool):
            return {"low": value, "typical": value, "high": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if not (Decimal(0) <= self.low <= self.typical <= self.high):
            raise ValueError(f"needs 0 <= low <= typical <= high, got {self.low} / {self.typical} / {self.high}")
        return self

    @classmethod
    def of(cls, value: int | str | Decimal) -> Band:
        return cls.model_validate(value)

    def scaled(self, factor: Decimal) -> Band:
        return Band(low=self.low * factor, typical=self.typical * factor, high=self.high * factor)


def is_band_dict(value: Any) -> bool:
    """A Band as model_dump() writes it: {low, typical, high}."""
    return isinstance(value, dict) and set(value) == {"low", "typical", "high"}


def _zero() -> Band:
    return Band.of(0)


class ProfileStep(_Strict):
    tasks: int = Field(ge=0)
    share: Decimal = Field(gt=0, le=1, description="share of the month's hours at this task count")


class Tasks(_Strict):
    desired: int = Field(ge=0)
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    profile: list[ProfileStep] | None = None

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, value: Any) -> Any:
        return {"desired": value} if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _consistent(self) -> Tasks:
        lo = self.min if self.min is not None else self.desired
        hi = self.max if self.max is not None else self.desired
        if not lo <= self.desired <= hi:
            raise ValueError(f"needs min <= desired <= max, got {lo} / {self.desired} / {hi}")
        if self.profile:
            total = sum((s.share for s in self.profile), Decimal(0))
            if total != 1:
                raise ValueError(f"profile shares must add up to 1, they add up to {total}")
            for step in self.profile:
                if not lo <= step.tasks <= hi:
                    raise ValueError(f"profile step of {step.tasks} tasks is outside min/max {lo}-{hi}")
        return self

    @property
    def average(self) -> Decimal:
        """Average running tasks over the month: the profile's weighted mean, else `desired`."""
        if self.profile:
            return sum((s.share * s.tasks for s in self.profile), Decimal(0))
        return Decimal(self.desired)


class FargateService(_Strict):
    name: str
    tasks: Tasks
    target_tracking_policies: int = Field(default=0, ge=0, description="Application Auto Scaling target-tracking "
                                          "policies (each creates two CloudWatch alarms)")
    vcpu: Decimal
    memory_gb: Decimal
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    os: Literal["Linux"] = "Linux"
    ephemeral_storage_gb: Decimal = Field(default=Decimal(20), ge=20, le=200)
    spot_share: Decimal = Field(default=Decimal(0), ge=0, le=1)
    interruption_tolerant: bool = False
    hours_per_month: Decimal | None = Field(default=None, gt=0, le=744)

    @field_validator("vcpu")
    @classmethod
    def _vcpu(cls, v: Decimal) -> Decimal:
        if v not in fargate_sizes.VCPU_OPTIONS:
            opts = ", ".join(plain(o) for o in fargate_sizes.VCPU_OPTIONS)
            raise ValueError(f"{v} vCPU is not a Fargate size (one of {opts})")
        return v

    @field_validator("memory_gb")
    @classmethod
    def _memory(cls, v: Decimal, info: ValidationInfo) -> Decimal:
        vcpu = info.data.get("vcpu")
        if vcpu is not None and not fargate_sizes.is_valid(vcpu, v):
            _, near = fargate_sizes.nearest(vcpu, v)
            raise ValueError(
                f"{plain(v)} is not valid with {plain(vcpu)} vCPU "
                f"({fargate_sizes.describe(vcpu)}; nearest: {plain(near)})"
            )
        return v

    @model_validator(mode="after")
    def _spot(self) -> FargateService:
        if self.spot_share > 0 and not self.interruption_tolerant:
            raise ValueError("spot_share > 0 needs interruption_tolerant: true (Spot tasks can be stopped)")
        return self


class RDS(_Strict):
    engine: Literal["postgresql"] = "postgresql"
    instance_class: str
    multi_az: bool = False
    storage_type: Literal["gp3", "gp2", "io1"] | None = Field(
        default="gp3", description="null = the engine's default (gp2 on RDS PostgreSQL)")
    read_replicas: int = Field(default=0, ge=0)
    average_cpu_pct: Band | None = Field(default=None, description="average CPU; above a burstable class's "
                                         "baseline, CPU credits are billed")
    allocated_gb: Decimal = Field(gt=0)
    iops: int | None = Field(default=None, ge=0, description="provisioned IOPS (io1), or gp3 IOPS if above baseline")
    throughput_mibps: int | None = Field(default=None, ge=0, description="gp3 throughput if above baseline")
    backup_storage_gb: Band = Field(default_factory=_zero, description="total backup storage; the free allowance "
                                    "equal to the provisioned storage is subtracted")
    performance_insights_retention_months: int = Field(default=0, ge=0, le=24,
                                                      description="0 = the free 7 days")
    enhanced_monitoring_interval_s: Literal[0, 1, 5, 10, 15, 30, 60] = 0
    enhanced_monitoring_gb: Band = Field(default_factory=_zero,
                                         description="CloudWatch Logs GB/month written by Enhanced Monitoring")
    log_statement: Literal["none", "ddl", "mod", "all"] = "none"
    exported_logs_gb: Band = Field(default_factory=_zero, description="PostgreSQL logs exported to CloudWatch")
    hours_per_month: Decimal | None = Field(default=None, gt=0, le=744,
                                            description="hours the instance runs, if not the environment's "
                                                        "(a stopped instance still pays for storage)")

    @property
    def volume(self) -> Literal["gp3", "gp2", "io1"]:
        """The storage type that runs: null means the API's default (io1 with IOPS given, else gp2)."""
        if self.storage_type is not None:
            return self.storage_type
        return "io1" if self.iops else "gp2"


class AuroraInstance(_Strict):
    instance_class: str = Field(description="a provisioned class (db.r6g.large), or db.serverless for Serverless v2")
    count: int = Field(default=1, ge=0)


class Aurora(_Strict):
    """One Aurora cluster: provisioned and/or Serverless v2 instances, cluster storage, I/O, backups."""

    engine: Literal["aurora-postgresql", "aurora-mysql"] = "aurora-postgresql"
    storage: Literal["standard", "io-optimized"] = "standard"
    instances: list[AuroraInstance] = Field(min_length=1, description="writer first, then readers")
    min_acu: Decimal = Field(default=Decimal("0.5"), ge=0, le=256)
    max_acu: Decimal = Field(default=Decimal(16), gt=0, le=256)
    acu: Band = Field(default_factory=_zero, description="average ACUs per db.serverless instance")
    storage_gb: Band = Field(default_factory=_zero)
    io_requests_millions: Band = Field(default_factory=_zero, description="I/O requests (Aurora Standard only)")
    backup_storage_gb: Band = Field(default_factory=_zero, description="backups beyond the free allowance")

    @model_validator(mode="after")
    def _acu_range(self) -> Aurora:
        if self.min_acu > self.max_acu:
            raise ValueError(f"min_acu {self.min_acu} is above max_acu {self.max_acu}")
        serverless = any(i.instance_class == "db.serverless" for i in self.instances)
        if serverless and not (self.min_acu <= self.acu.low and self.acu.high <= self.max_acu):
            raise ValueError(f"acu must lie within min_acu..max_acu ({self.min_acu}..{self.max_acu})")
        return self


class ElastiCacheServerless(_Strict):
    engine: Literal["valkey", "redis"] = "valkey"
    data_stored_gb: Band = Field(default_factory=_zero,
                                 description="average GB stored (metered: at least 1 GB Redis OSS, 100 MB Valkey)")
    ecpu_millions: Band = Field(default_factory=_zero, description="ElastiCache Processing Units per month")
    snapshot_retention_days: int = Field(default=0, ge=0, le=35, description="automatic backups kept (billed "
                                         "per GB-month)")


class KMS(_Strict):
    keys: int = Field(default=0, ge=0, description="customer managed keys")
    requests: Band = Field(default_factory=_zero, description="API requests per month")


class ACM(_Strict):
    public_certificates: int = Field(default=0, ge=0)


class XRay(_Strict):
    requests_per_s: Band = Field(default_factory=_zero, description="incoming requests (default sampling: "
                                 "1 request/s reservoir + 5 % of the rest)")
    traces_retrieved: Band = Field(default_factory=_zero, description="traces retrieved or scanned per month")


class VpcEndpoints(_Strict):
    interface_endpoints: int = Field(default=0, ge=0)
    availability_zones: int = Field(default=2, ge=1)
    data_processed_gb: Band = Field(default_factory=_zero)


class NLB(_Strict):
    load_balancers: int = Field(default=1, ge=0)
    availability_zones: int = Field(default=2, ge=1)
    internet_facing: bool = False
    new_connections_per_s: Band = Field(default_factory=_zero)
    active_connections_per_min: Band = Field(default_factory=_zero)
    processed_gb_per_h: Band = Field(default_factory=_zero)


class ElastiCache(_Strict):
    engine: Literal["redis", "valkey"] = "redis"
    node_type: str
    nodes: int = Field(ge=1)
    snapshot_retention_days: int = Field(default=0, ge=0, le=35, description="automatic backups kept; storage "
                                         "beyond one free snapshot per cluster is billed")


class NAT(_Strict):
    gateways: int = Field(ge=0)
    data_processed_gb: Band = Field(default_factory=_zero)
    s3_gb: Band = Field(default_factory=_zero, description="the part of data_processed_gb that goes to S3 (an S3 "
                        "gateway endpoint would take it off the NAT Gateway)")

    @model_validator(mode="after")
    def _s3_within(self) -> NAT:
        for level in ("low", "typical", "high"):
            if getattr(self.s3_gb, level) > getattr(self.data_processed_gb, level):
                raise ValueError(f"s3_gb.{level} is more than data_processed_gb.{level}")
        return self


class ALB(_Strict):
    load_balancers: int = Field(default=1, ge=0)
    availability_zones: int = Field(default=2, ge=2, description="one public IPv4 per AZ node when internet-facing")
    internet_facing: bool = True
    new_connections_per_s: Band = Field(default_factory=_zero)
    active_connections_per_min: Band = Field(default_factory=_zero)
    processed_gb_per_h: Band = Field(default_factory=_zero)
    requests_per_s: Band = Field(default_factory=_zero)
    rules: int = Field(default=1, ge=0, description="rules processed per request (the first 10 are free)")


class CloudFront(_Strict):
    edge_group: str = "Asia Pacific"
    data_out_gb: Band = Field(default_factory=_zero)
    http_requests: Band = Field(default_factory=_zero)
    https_requests: Band = Field(default_factory=_zero)
    always_free_tier: bool = True


class S3(_Strict):
    storage_gb: dict[Literal["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER"], Band] = Field(
        default_factory=dict)
    put_requests: Band = Field(default_factory=_zero)
    get_requests: Band = Field(default_factory=_zero)
    data_out_gb: Band = Field(default_factory=_zero, description="served straight to the internet, not via CloudFront")


class CloudWatch(_Strict):
    logs_ingested_gb: Band = Field(default_factory=_zero, description="application logs (ECS awslogs)")
    logs_stored_gb: Band = Field(default_factory=_zero, description="all log groups, average stored over the month")
    custom_metrics: int = Field(default=0, ge=0)
    alarms: int = Field(default=0, ge=0)
    container_insights: bool = False
    container_insights_metrics: int | None = Field(default=None, ge=0, description="custom metrics Container "
                                                   "Insights emits; null = counted from the sizing (AWS's ECS "
                                                   "metric table)")
    container_insights_logs_gb: Band = Field(default_factory=_zero, description="performance log events ingested")
    dashboards: int = Field(default=0, ge=0)
    api_requests: Band = Field(default_factory=_zero, description="CloudWatch API requests per month")


class WAF(_Strict):
    web_acls: int = Field(default=0, ge=0)
    rules: int = Field(default=0, ge=0)
    requests: Band = Field(default_factory=_zero)


class Route53(_Strict):
    hosted_zones: int = Field(default=0, ge=0)
    queries: Band = Field(default_factory=_zero)
    alias_query_share: Decimal = Field(default=Decimal(0), ge=0, le=1,
                                       description="share of queries that are alias queries to AWS resources (free)")


class Other(_Strict):
    secrets: int = Field(default=0, ge=0)
    secrets_api_requests: Band = Field(default_factory=_zero)
    waf: WAF = Field(default_factory=WAF)
    route53: Route53 = Field(default_factory=Route53)
    ecr_storage_gb: Band = Field(default_factory=_zero)
    extra_public_ipv4: int = Field(default=0, ge=0, description="public IPv4 beyond NAT EIPs and ALB nodes")
    inter_az_gb: Band = Field(default_factory=_zero, description="GB crossing AZs per month (billed each way)")
    internet_out_gb: Band = Field(default_factory=_zero, description="egress from the region not via CloudFront/S3")


class Environment(_Strict):
    hours_per_month: Decimal = Field(default=Decimal(730), gt=0, le=744,
                                     description="hours the environment runs (730 = always on)")
    fargate: list[FargateService] = Field(default_factory=list)
    rds: RDS | None = None
    elasticache: ElastiCache | None = None
    nat: NAT | None = None
    alb: ALB | None = None
    cloudfront: CloudFront | None = None
    s3: S3 | None = None
    cloudwatch: CloudWatch | None = None
    other: Other = Field(default_factory=Other)
    aurora: Aurora | None = None
    elasticache_serverless: ElastiCacheServerless | None = None
    kms: KMS | None = None
    acm: ACM | None = None
    xray: XRay | None = None
    vpc_endpoints: VpcEndpoints | None = None
    nlb: NLB | None = None
    account: str | None = Field(default=None, description="environments naming the same account share its free "
                                "allowances; without it each environment is its own account")
    budget_usd: Decimal | None = Field(default=None, ge=0)

    @field_validator("fargate")
    @classmethod
    def _unique_names(cls, v: list[FargateService]) -> list[FargateService]:
        names = [s.name for s in v]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"service names must be unique, repeated: {', '.join(sorted(dup))}")
        return v


class Stack(_Strict):
    region: str = DEFAULT_REGION
    environments: dict[str, Environment]
    # Billing tag values that mean an environment, beyond its own name: {production: [prod, prd]} (cost report).
    tag_values: dict[str, list[str]] = {}

    @field_validator("environments")
    @classmethod
    def _some(cls, v: dict[str, Environment]) -> dict[str, Environment]:
        if not v:
            raise ValueError("at least one environment is needed")
        return v

    @model_validator(mode="after")
    def _tag_values_name_environments(self) -> Stack:
        unknown = sorted(set(self.tag_values) - set(self.environments))
        if unknown:
            raise ValueError(f"tag_values: no environment {', '.join(unknown)}")
        return self
