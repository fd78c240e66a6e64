"""Delivery preflight: why a verification code would not (or did not) arrive, checked with the admin
AWS profile before the send, and ordered to explain a failed or silent delivery after it. No Qt."""

from app.core.preflight.aws import AwsReader, BlockedCallError
from app.core.preflight.model import CHECK_IDS, Check, Situation, Status, order_for_failure, worst
from app.core.preflight.run import PreflightRequest, run_preflight

__all__ = [
    "CHECK_IDS",
    "AwsReader",
    "BlockedCallError",
    "Check",
    "PreflightRequest",
    "Situation",
    "Status",
    "order_for_failure",
    "run_preflight",
    "worst",
]
