"""Outbound webhooks: the SSRF guard, signing, the HTTP send, the delivery attempt and the outbox subscriber."""
