"""``python -m azure_dr.cli``: the same as the ``drctl`` console script."""

from .launch import main

main()
