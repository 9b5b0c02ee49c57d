"""The azure-dr CrossGuard pack. This file only assembles; every rule lives in its own module."""

from pulumi_policy import PolicyPack

from drpolicy.catalogue import PACK_NAME, policies
from drpolicy.conversion_memo import install

install()  # one conversion of a resource per analysis call, not per policy (drpolicy/conversion_memo.py)
PolicyPack(name=PACK_NAME, policies=policies())
