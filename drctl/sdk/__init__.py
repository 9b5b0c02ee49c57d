"""Every patch drctl makes to the Pulumi SDK for offline speed, in one place, for the tested ``pulumi`` range.

Each patch only changes how fast an offline run goes, never what it records; ``tests/test_perf_engine.py`` plans
with and without them and compares.
"""
