"""The outbox events of quotes and sales orders (webhook endpoints, and ERP through them, subscribe by name).

Payloads carry ids, numbers, statuses and customer-facing totals only: never costs or margins."""

from forgecrm.platform.events import register_event_types

QUOTE_EVENT_TYPES = (
    "QuoteCreated",
    "QuoteRevised",
    "QuoteSubmitted",
    "QuoteApproved",
    "QuoteRejected",
    "QuoteSent",
    "QuoteAccepted",
    "QuoteDeclined",
    "QuoteExpired",
    "SalesOrderCreated",
    "SalesOrderStatusChanged",
)

register_event_types(*QUOTE_EVENT_TYPES)
