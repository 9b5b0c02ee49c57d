"""Azure facts with their sources: regions, limits, recovery mechanisms, replacement rules, address arithmetic.

Plain data and small functions with no cloud SDK, so the components, the policy pack and ``drctl`` read the same
facts and the pack needs nothing else installed.
"""
