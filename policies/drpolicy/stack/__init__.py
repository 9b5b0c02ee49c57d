"""Rules over a whole stack: the cross-resource DR rules."""
