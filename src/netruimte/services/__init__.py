"""Use cases: load -> compute -> save; the web API and the CLI are thin layers over these."""
