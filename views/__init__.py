"""The web pages, one blueprint per area."""
