"""OAuth 2.0 for SMTP: providers, the protocol through Authlib, and tokens kept fresh."""
