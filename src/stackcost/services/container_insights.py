"""How many custom metrics Container Insights on ECS emits, counted from the sizing.

AWS bills each metric name × dimension set as one custom metric. The table is AWS's published list of ECS
Container Insights metrics (CloudWatch User Guide, "Amazon ECS Container Insights metrics";
awsdocs/amazon-cloudwatch-user-guide doc_source/Container-Insights-metrics-ECS.md at commit
b35549706cab03cdcd0a8df9956a2381c0315642): for each metric, the dimension sets it is published with.
"""

from __future__ import annotations

from stackcost.sizing.model import Environment

CLUSTER, SERVICE, FAMILY = "ClusterName", "ServiceName, ClusterName", "TaskDefinitionFamily, ClusterName"
ALL_THREE = (FAMILY, SERVICE, CLUSTER)

METRICS: dict[str, tuple[str, ...]] = {
    "ContainerInstanceCount": (CLUSTER,),  # EC2 container instances: none on Fargate
    "CpuUtilized": ALL_THREE,
    "CpuReserved": ALL_THREE,
    "DeploymentCount": (SERVICE,),
    "DesiredTaskCount": (SERVICE,),
    "EphemeralStorageReserved": ALL_THREE,  # Fargate Linux platform 1.4.0 or later
    "EphemeralStorageUtilized": ALL_THREE,
    "MemoryUtilized": ALL_THREE,
    "MemoryReserved": ALL_THREE,
    "NetworkRxBytes": ALL_THREE,
    "NetworkTxBytes": ALL_THREE,
    "PendingTaskCount": (SERVICE,),
    "RunningTaskCount": (SERVICE,),
    "ServiceCount": (CLUSTER,),
    "StorageReadBytes": ALL_THREE,
    "StorageWriteBytes": ALL_THREE,
    "TaskCount": (CLUSTER,),
    "TaskSetCount": (SERVICE,),
}
EC2_ONLY = {"ContainerInstanceCount"}


def metric_count(env: Environment) -> tuple[int, str]:
    """(metrics, how they were counted) for one ECS cluster running the environment's Fargate services.

    One cluster per environment and one task-definition family per service, as the guide's ECS module builds
    them; every service runs on Fargate, so the EC2-only metric is left out.
    """
    services = len(env.fargate)
    if services == 0:
        return 0, "no ECS services"
    per_set = {CLUSTER: 1, SERVICE: services, FAMILY: services}
    count = sum(per_set[d] for name, sets in METRICS.items() if name not in EC2_ONLY for d in sets)
    three = sum(1 for name, sets in METRICS.items() if sets == ALL_THREE)
    svc_only = sum(1 for sets in METRICS.values() if sets == (SERVICE,))
    cluster_only = sum(1 for name, sets in METRICS.items() if sets == (CLUSTER,) and name not in EC2_ONLY)
    why = (f"{three} metrics × (1 cluster + {services} service + {services} task family) + {svc_only} per service "
           f"× {services} + {cluster_only} per cluster (AWS's ECS Container Insights metric table, Fargate)")
    return count, why
