"""Firstline: community-level outbreak response."""
