"""Service models are parsed lean: plain dicts, documentation texts emptied, nothing else
changed — the requests a client builds are the same as with botocore's own loader."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import pytest

from app.runtime.botocore_data import USED_SERVICES, botocore_session, lean_service_model

DATA = Path(botocore.__file__).with_name("data")


def _without_documentation(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: "" if k == "documentation" and isinstance(v, str) else _without_documentation(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_without_documentation(v) for v in node]
    return node


def _model_file(service: str) -> Path:
    return next(DATA.glob(f"{service}/*/service-2.json.gz"))


@pytest.mark.parametrize("service", sorted(USED_SERVICES))
def test_a_lean_model_is_the_file_with_only_its_documentation_emptied(service: str) -> None:
    raw = gzip.decompress(_model_file(service).read_bytes())
    lean = lean_service_model(raw)
    assert lean == _without_documentation(json.loads(raw))
    assert len(json.dumps(lean)) < len(raw) / 2
    assert lean["operations"]  # a member or shape named "documentation" would still be there


def test_the_shared_loader_parses_a_service_model_once_and_lean() -> None:
    first = botocore_session(region_name="eu-west-1")
    second = botocore_session(region_name="eu-west-1")
    model = first.get_service_model("cognito-idp")
    assert second.get_service_model("cognito-idp")._service_description is model._service_description
    operation = model.operation_model("GetUserAttributeVerificationCode")
    assert operation.documentation == ""
    assert type(model._service_description["shapes"]) is dict


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetUserAttributeVerificationCode",
         {"AccessToken": "t", "AttributeName": "email", "ClientMetadata": {"k": "v"}}),
        ("VerifyUserAttribute", {"AccessToken": "t", "AttributeName": "email", "Code": "123456"}),
        ("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "AuthParameters": {"USERNAME": "u"}}),
        ("DescribeUserPool", {"UserPoolId": "eu-west-1_Abc"}),
    ],
)
def test_requests_are_serialized_as_with_botocores_own_loader(operation: str, params: dict[str, Any]) -> None:
    lean = botocore_session(region_name="eu-west-1").create_client(
        "cognito-idp", aws_access_key_id="a", aws_secret_access_key="b")
    plain = botocore.session.get_session().create_client(
        "cognito-idp", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")

    def request(client: Any) -> dict[str, Any]:
        model = client.meta.service_model.operation_model(operation)
        built: dict[str, Any] = client._serializer.serialize_to_request(params, model)
        return built

    assert request(lean) == request(plain)


def test_clients_created_at_once_in_two_threads_share_one_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trigger view's admin client and the sign-in's client are often created together."""
    import threading
    import time

    from app.runtime import botocore_data as boto_data

    monkeypatch.setattr(boto_data, "_loader", None)  # a fresh loader: nothing parsed yet
    parse = boto_data.lean_service_model

    def slow_parse(raw: bytes | str) -> Any:
        time.sleep(0.2)  # both threads are inside the load at once
        return parse(raw)

    monkeypatch.setattr(boto_data, "lean_service_model", slow_parse)
    models: dict[str, Any] = {}
    start = threading.Barrier(2)

    def create(name: str, credentials: tuple[str, str] | None) -> None:
        start.wait()
        client = botocore_session(region_name="eu-west-1", static_credentials=credentials).create_client(
            "cognito-idp", endpoint_url="http://127.0.0.1:9")
        models[name] = client.meta.service_model._service_description

    threads = [threading.Thread(target=create, args=("session", None)),
               threading.Thread(target=create, args=("admin", ("a", "b")))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert models["session"] is models["admin"]
