"""The history tab: a table model over the history store and its view."""
