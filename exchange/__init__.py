"""Exchange rates from the European Central Bank's public daily reference feed."""
