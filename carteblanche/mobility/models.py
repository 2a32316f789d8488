"""Models of the mobility app."""
