"""Hypothesis property tests over every public parser with hostile, bound-shaped inputs."""
