"""Policies are data: frozen records with validated ranges and vendor presets,
evaluated by pure functions. Import them from `campaignkit`; the modules of this
package (retry, cycles, schedule, pacing, rotation, compliance) are private layout."""
