"""azure-dr: a primary and a disaster-recovery Azure region as two stacks of one Pulumi program.

- ``azure_dr.components``: the reusable components and their args (``from azure_dr.components import GeoStorage``).
- ``azure_dr.cli``: ``drctl``, the offline plan, policy check and DR lifecycle (``python -m azure_dr.cli``).
- ``azure_dr.testing``: Azure-aware mocks for a consumer's own Pulumi unit tests.

In the repository the subpackages live at the top (``components/``, ``drctl/``); ``src/azure_dr`` names them for
an editable install, and the wheel maps them under this namespace (``pyproject.toml``, hatch ``sources``).
"""
