"""counter_app."""
