"""``python -m drctl``: the same as the ``drctl`` console script."""

from drctl.launch import main

main()
