"""Exact answers: reading numbers exactly, formatting them, checking claims, building options."""
