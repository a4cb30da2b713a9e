"""Shipped data and its registry: see :mod:`evchain.data.registry`."""

from evchain.data.registry import DataSet, Value, Vehicle, load_data

__all__ = ["DataSet", "Value", "Vehicle", "load_data"]
