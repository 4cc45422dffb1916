"""Renderers: model objects back to the exact artifact text (stats files, gametimes JSON...)."""
