"""Azure-aware mocks for Pulumi unit tests of programs built from ``azure_dr.components``.

Pulumi's standard ``pulumi.runtime.set_mocks`` with these mocks answers as Azure would: ARM resource ids, names,
host names and endpoints, the caller's client config and an AKS user kubeconfig, and a ``StackReference`` to a
peer stack answers with that peer's exports::

    import pulumi
    from azure_dr.testing import AzureMocks

    pulumi.runtime.set_mocks(AzureMocks(peer_outputs={"primary": {"postgres_server_id": "..."}}), preview=False)

``RecordingMonitor`` additionally keeps every registration with its resource options, which is how ``drctl``
plans a stack offline.
"""

from __future__ import annotations

from azure_dr.cli.engine.mocks import AzureMocks, RecordingMonitor
from azure_dr.cli.engine.recording import RecordedResource

__all__ = ["AzureMocks", "RecordedResource", "RecordingMonitor"]
