"""Forms of the partner portal, one module per area."""
