"""Sites: the cost of making a car where, and what it brings home."""
