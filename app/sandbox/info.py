"""What a running sandbox tells its users: where it listens, the pool, the clients, the seeded users."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SandboxInfo:
    """The sandbox's connection details and test users (passwords included: it is a local toy pool)."""

    endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    client_id_with_secret: str
    client_secret: str = field(repr=False)
    users: list[dict[str, Any]] = field(repr=False)
    trigger_function: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "user_pool_id": self.user_pool_id,
            "client_id": self.client_id,
            "client_id_with_secret": self.client_id_with_secret,
            "client_secret": self.client_secret,
            "trigger_function": self.trigger_function,
            "users": [dict(user) for user in self.users],
        }

    def to_json_line(self) -> str:
        """One line of JSON, for `verifydesk sandbox`'s stdout."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxInfo:
        return cls(
            endpoint_url=str(data["endpoint_url"]),
            region=str(data["region"]),
            user_pool_id=str(data["user_pool_id"]),
            client_id=str(data["client_id"]),
            client_id_with_secret=str(data["client_id_with_secret"]),
            client_secret=str(data["client_secret"]),
            users=[dict(user) for user in data.get("users", [])],
            trigger_function=data.get("trigger_function"),
        )

    def user(self, username: str) -> dict[str, Any]:
        """A seeded user by name; KeyError names the ones that exist."""
        for entry in self.users:
            if entry.get("username") == username:
                return entry
        raise KeyError(f"no seeded user {username!r}; have {[u.get('username') for u in self.users]}")
