"""Layer 4: the composition root — app factory, command line, wiring of job handlers."""

__version__ = "0.1.0"
