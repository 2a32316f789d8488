"""Models of the observatory app."""
