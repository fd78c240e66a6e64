"""The Preflight panel: will the verification code arrive, and why did it not?"""
