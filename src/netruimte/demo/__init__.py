"""The Flevoland demo: run the scenario, size its businesses, write its outputs."""
