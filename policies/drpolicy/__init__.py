"""azure-dr policy rules: one module per rule under ``resource/`` and ``stack/``.

``azure_facts`` is the components' own facts package (a link to ``components/facts`` in the repository, a copy
in the built pack and in ``pulumi policy publish``'s archive), so the pack reads the same facts and needs no SDK.
"""
