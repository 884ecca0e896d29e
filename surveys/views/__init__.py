"""Survey pages and JSON API."""
