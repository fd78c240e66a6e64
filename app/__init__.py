"""VerifyDesk: a desktop workbench for Cognito's GetUserAttributeVerificationCode."""

__version__ = "0.1.0"
APP_NAME = "VerifyDesk"
