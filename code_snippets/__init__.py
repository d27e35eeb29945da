"""Lecture code shown on the slides: plain Python, runnable in a notebook."""
