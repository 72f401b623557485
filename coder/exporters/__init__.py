"""Exporters: tables and codebooks written to files a paper or another tool can use."""
