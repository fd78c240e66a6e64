"""The Qt-free core of VerifyDesk: Cognito calls, sign-in, validation, history, profiles.

Nothing in this package may import Qt (a test enforces it), so the CLI and the window share it.
"""
