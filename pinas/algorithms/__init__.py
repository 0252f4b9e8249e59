"""Supernet training algorithms as mmengine models (one method per module)."""
