"""coder: qualitative interview coding from the terminal."""

__version__ = "0.1.0"
