"""The azure-dr CrossGuard pack. This file only assembles; every rule lives in its own module."""

from pulumi_policy import PolicyPack

from drpolicy.catalogue import PACK_NAME, policies

PolicyPack(name=PACK_NAME, policies=policies())
