"""deckbuild: Markdown + Jinja lecture slides whose code is real, built into an offline reveal.js deck."""
