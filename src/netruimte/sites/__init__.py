"""Site and hub plans: from a TOML file (CLI) and stored with a request (service)."""
