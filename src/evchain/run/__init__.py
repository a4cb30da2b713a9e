"""Running the model: evaluate() and its results."""
