"""Reports: terminal tables (and, later, charts and HTML)."""
