"""Vehicles: reference records, field overrides and the masses on the test."""
