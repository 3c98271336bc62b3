"""Built-in rule packs, installed as package data (see pyproject.toml)."""
