"""Shared by the figure producers (a module starting with `_` defines no producers): one colour per optimiser."""

COLOURS = {"SGD": "#1f77b4", "Momentum": "#ff7f0e", "Adam": "#2ca02c"}
