"""Shared look and small widgets: theme and tones, banners and status, scrolling."""
