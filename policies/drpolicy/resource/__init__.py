"""Rules over one resource at a time (one module per rule, each exporting ``RULE``)."""
