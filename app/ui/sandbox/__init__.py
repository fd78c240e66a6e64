"""The embedded sandbox pool and its inbox dock."""
