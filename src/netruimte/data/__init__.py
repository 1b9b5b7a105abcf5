"""Package data: the bundled Flevoland scenario (see docs/scenario-flevoland.md)."""
