"""Every write of the partners app: one module per area, one function per business action, `actor` first."""
