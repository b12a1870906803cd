"""Luoshi (落实): one part deployment, nine parts implementation."""
