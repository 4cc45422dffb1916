"""Parsers: bytes or text of an artifact in, model out. They raise only ``ParseError``."""
