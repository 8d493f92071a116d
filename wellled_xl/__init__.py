"""wellled-xl: turn a well-led / CQC action tracker into a checked, honest board paper."""

__version__ = "0.1.0"
