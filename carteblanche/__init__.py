"""Carte Blanche: a seamless public service for a rural territory."""

__version__ = "0.1.0"
