"""Thin widgets: one module per screen."""
