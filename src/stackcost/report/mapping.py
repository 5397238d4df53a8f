"""AWS's names for spend -> stackcost's services, so actual spend lines up with the estimate's lines.

Every name comes from the service registry (`stackcost.registry`: Cost Explorer SERVICE, CUR product code, FOCUS
ServiceName per service); this module adds only the two rules billing exports need beyond a name lookup.
Anything the registry does not know is "unmodelled" spend."""

from __future__ import annotations

from stackcost import registry

_NAT = registry.by_id("nat").label


def labels() -> set[str]:
    """Every service label the estimate can show."""
    return set(registry.labels())


def from_ce(service: str) -> str | None:
    """A Cost Explorer SERVICE value. Cost Explorer gives no usage type, so "EC2 - Other" is taken as NAT Gateway:
    the only EC2 charge the stack has (its EC2 data transfer is billed under AWS Data Transfer there)."""
    if service == registry.by_id("nat").ce_name:
        return _NAT
    entry = registry.for_billing_name(service)
    return entry.label if entry else None


def from_cur(service_code: str, usage_type: str) -> str | None:
    return from_billing(service_code, usage_type)


def from_billing(name: str, usage_type: str = "") -> str | None:
    """Any billing name (CUR product/service code, Cost Explorer SERVICE, FOCUS ServiceName) -> our service.
    NAT Gateway hours and bytes are recognised by their usage type wherever an export files them (EC2,
    EC2 - Other or VPC)."""
    if "NatGateway" in usage_type:
        return _NAT
    entry = registry.for_billing_name(name, usage_type)
    return entry.label if entry else None
