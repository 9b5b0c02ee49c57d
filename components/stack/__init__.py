"""The stack program's config model and composer: the only code that knows the stack config (``Pulumi.<stack>.yaml``).

The reusable components in ``azure_dr.components`` each know only their own args; ``compose``-level modules here
turn one validated ``StackConfig`` into those args and read the peer stack's contract.
"""
