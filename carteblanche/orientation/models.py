"""Models of the orientation app."""
