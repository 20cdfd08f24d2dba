"""Sales pages, one module per area (leads.py, pipeline.py, quotes.py, orders.py, planning.py, commissions.py):
parse, call one operation or query, render. Routed in ../urls.py."""
