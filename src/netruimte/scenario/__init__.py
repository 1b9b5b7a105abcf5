"""Loading and validating input files into the pure types of the core."""
