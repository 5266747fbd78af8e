"""sinorus: a news monitor for analysts who follow the relationship between China and Russia."""

__version__ = "0.1.0"
