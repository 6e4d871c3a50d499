"""presslens: evidence-linked analysis of who says what, in which words, when."""

__version__ = "0.1.0"
