"""Batteries: cells, pack design, bill of materials and bottom-up cost by site."""
