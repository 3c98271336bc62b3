"""The sample week's generator (scripts/make_sample.py) and its parts."""
