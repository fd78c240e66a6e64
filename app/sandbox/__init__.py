"""A local Cognito user pool for testing without an AWS account: moto, extended in-process.

`Sandbox` and `run_foreground` import moto when used; `SandboxControl` and `SandboxInfo` need only
the standard library, so other processes (and `app.sandbox.lambda_runner`) stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sandbox.control import NoCodeError, SandboxControl, SandboxControlError
from app.sandbox.info import SandboxInfo

if TYPE_CHECKING:
    from app.sandbox.server import Sandbox, run_foreground

__all__ = ["NoCodeError", "Sandbox", "SandboxControl", "SandboxControlError", "SandboxInfo", "run_foreground"]


def __getattr__(name: str) -> Any:
    if name in ("Sandbox", "run_foreground"):
        from app.sandbox import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
