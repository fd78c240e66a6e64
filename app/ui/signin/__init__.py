"""Profiles, connection and sign-in: the left column and the remembered password."""
