"""qtreader: a terminal reader for libraries of question-and-answer articles."""

__version__ = "0.1.0"
