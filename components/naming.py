"""Resource names from the Cloud Adoption Framework abbreviations, so runbooks and the portal agree.

Regional names carry the region's short code; global names (one per pair) carry only workload and environment.
Config validation bounds the workload (2-8) and environment (2-5) so every name fits Azure's length rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts.regions import region


@dataclass(frozen=True)
class Names:
    """Every Azure resource name one stack uses."""

    workload: str
    environment: str
    region_name: str

    @property
    def _base(self) -> str:
        return f"{self.workload}-{self.environment}-{region(self.region_name).short}"

    @property
    def _compact(self) -> str:
        return f"{self.workload}{self.environment}{region(self.region_name).short}"

    @property
    def resource_group(self) -> str:
        return f"rg-{self._base}"

    @property
    def log_analytics(self) -> str:
        return f"log-{self._base}"

    @property
    def identity(self) -> str:
        return f"id-{self._base}"

    @property
    def key_vault(self) -> str:
        """3-24 characters, letters, digits and hyphens."""
        return f"kv-{self._base}"

    def postgres(self, generation: int) -> str:
        """The generation suffix lets a rebuilt region create a new server beside the stale, protected one."""
        return f"psql-{self._base}-{generation}"

    @property
    def storage_account(self) -> str:
        """3-24 lowercase letters and digits, globally unique."""
        return f"st{self._compact}"

    @property
    def redis(self) -> str:
        return f"redis-{self._base}"

    @property
    def frontdoor_origin(self) -> str:
        return f"origin-{self._base}"

    def postgres_virtual_endpoint(self, source_server: str) -> str:
        """One writer/reader endpoint pair per replication pair, named after the pair's source server."""
        return f"{source_server}-vep"

    @property
    def backup_vault(self) -> str:
        """2-50 letters, digits and hyphens."""
        return f"bvault-{self._base}"

    @property
    def action_group(self) -> str:
        return f"ag-{self._base}"

    @property
    def action_group_short(self) -> str:
        """At most 12 characters (shown in SMS and e-mail subjects)."""
        return f"dr-{self.workload}-{region(self.region_name).short}"[:12]

    @property
    def chaos_experiment_prefix(self) -> str:
        return f"chaos-{self._base}"

    @property
    def aks(self) -> str:
        """1-63 letters, digits, hyphens and underscores."""
        return f"aks-{self._base}"

    @property
    def aks_dns_prefix(self) -> str:
        """Create-only: fixed by the region, never by the role."""
        return f"aks-{self._base}"

    @property
    def aks_node_resource_group(self) -> str:
        """Create-only: named explicitly so it never depends on anything that can switch."""
        return f"rg-{self._base}-aks-nodes"

    @property
    def ingress_ip(self) -> str:
        return f"pip-{self._base}-ingress"

    @property
    def ingress_dns_label(self) -> str:
        """Unique within the region: ``<label>.<region>.cloudapp.azure.com``."""
        return f"{self._base}-ingress"

    @property
    def virtual_network(self) -> str:
        """2-64 letters, digits, underscores, periods and hyphens."""
        return f"vnet-{self._base}"

    @property
    def velero_identity(self) -> str:
        return f"id-{self._base}-velero"

    # global objects: one per pair, named without a region
    @property
    def global_resource_group(self) -> str:
        """The global layer's own group: the primary's regional group can be down exactly when it is needed."""
        return f"rg-{self.workload}-{self.environment}-global"

    @property
    def container_registry(self) -> str:
        """5-50 letters and digits, globally unique."""
        return f"cr{self.workload}{self.environment}"

    @property
    def cosmos_account(self) -> str:
        """3-44 lowercase letters, digits and hyphens, globally unique."""
        return f"cosmos-{self.workload}-{self.environment}"

    @property
    def frontdoor_profile(self) -> str:
        return f"afd-{self.workload}-{self.environment}"

    @property
    def frontdoor_endpoint(self) -> str:
        return f"fde-{self.workload}-{self.environment}"

    @property
    def traffic_manager(self) -> str:
        return f"traf-{self.workload}-{self.environment}"
