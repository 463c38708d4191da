"""Dialect tests, one module per vendor (mirroring campaignkit.dialects)."""
