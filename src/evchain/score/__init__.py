"""Regulatory scores: France's environmental score of electric cars."""
