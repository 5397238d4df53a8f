"""The region table: the one place that knows region codes, names and AWS's usage-type prefixes.

AWS's prefixes are irregular: us-east-1 mostly has none (`NatGateway-Hours`, `InstanceUsage:db.t3.medium`) but
writes `USE1-` for Fargate, public IPv4, VPC endpoints and Secrets Manager; eu-west-1 is `EU-`, ap-northeast-1
`APN1-`, Seoul `APN2-` (see shared/aws-prices/README.md, "Additions"). Pricers never build usage types: they query
the catalog by attributes. The prefixes are for reading AWS's own files (price lists, billing exports).
"""

from __future__ import annotations

from stackcost.errors import StackcostError
from stackcost.values import Value

DEFAULT_REGION = "ap-northeast-2"
GLOBAL = "global"  # CloudFront and Route 53 publish one price list for every region


class Region(Value):
    """One row of the region table. Immutable."""

    code: str
    name: str  # the Price List `location`
    short: str  # what people call it
    prefix: str  # usage-type prefix without the dash; "" = none
    prefixed_families: tuple[str, ...]  # where `prefix` is "", these families still carry `family_prefix`
    family_prefix: str
    _fields = ("code", "name", "short", "prefix", "prefixed_families", "family_prefix")

    def __init__(self, code: str, name: str, short: str, prefix: str, prefixed_families: tuple[str, ...] = (),
                 family_prefix: str = "") -> None:
        self._set(code=code, name=name, short=short, prefix=prefix, prefixed_families=prefixed_families,
                  family_prefix=family_prefix)

    def usage_type(self, base: str) -> str:
        """AWS's usage type for a prefix-free base such as `NatGateway-Hours` or `Fargate-GB-Hours`."""
        if self.prefix:
            return f"{self.prefix}-{base}"
        if self.family_prefix and base.startswith(self.prefixed_families):
            return f"{self.family_prefix}-{base}"
        return base

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(p for p in (self.prefix, self.family_prefix) if p)


REGIONS: dict[str, Region] = {r.code: r for r in (
    Region("ap-northeast-2", "Asia Pacific (Seoul)", "Seoul", "APN2"),
    Region("ap-northeast-1", "Asia Pacific (Tokyo)", "Tokyo", "APN1"),
    Region("eu-west-1", "EU (Ireland)", "Ireland", "EU"),
    Region("us-east-1", "US East (N. Virginia)", "N. Virginia", "",
           prefixed_families=("Fargate-", "PublicIPv4:", "VpcEndpoint-", "AWSSecretsManager-"), family_prefix="USE1"),
)}


class UnknownRegion(StackcostError):
    pass


def region(code: str) -> Region:
    try:
        return REGIONS[code]
    except KeyError:
        known = ", ".join(sorted(REGIONS))
        raise UnknownRegion(f"unknown region {code!r} (the region table has: {known})") from None


def short_name(code: str) -> str:
    r = REGIONS.get(code)
    return r.short if r else code


# RDS and Aurora usage types abbreviate the size `xlarge` to `xl` (`APN2-InstanceUsage:db.m6g.4xl`,
# `APN2-Multi-AZUsage:db.r6g.xl`); ElastiCache keeps `xlarge`. Only reading AWS's files needs this.

def rds_class_of_usage_type(usage_type: str) -> str:
    """`APN2-InstanceUsage:db.m6g.4xl` → `db.m6g.4xlarge` (an unabbreviated class is returned as it is)."""
    cls = usage_type.split(":", 1)[-1]
    return f"{cls}arge" if cls.endswith("xl") else cls
