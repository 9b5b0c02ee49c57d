"""azure-dr policy rules: one module per rule under ``resource/`` and ``stack/``."""
