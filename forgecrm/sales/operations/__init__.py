"""Every write of the sales app: one module per area (leads, lead capture and conversion, opportunities,
quoting, orders, planning, commissions), one function per business action, `actor` first, keyword-only."""
