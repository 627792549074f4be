"""Email: templates, MIME, SMTP transport and inbound mail (replies, bounces, unsubscribes)."""
