"""Every read of the sales app a user sees, one module per area, always starting from the access scope
(`lead_list_for(actor, ...)`, `get_opportunity_for(actor, pk)`)."""
