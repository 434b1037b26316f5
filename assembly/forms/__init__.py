"""Input parsing and validation, one module per area."""
