"""One botocore data loader per process, with endpoints.json trimmed to the services VerifyDesk
uses: sessions share it, and every endpoint of those services resolves exactly as with the full file."""

from __future__ import annotations

from pathlib import Path

import botocore
import pytest
from botocore.regions import EndpointResolver

from app.runtime.botocore_data import USED_SERVICES, botocore_session, trimmed_endpoints

ENDPOINTS_FILE = Path(botocore.__file__).with_name("data") / "endpoints.json"


@pytest.fixture(scope="module")
def resolvers() -> tuple[EndpointResolver, EndpointResolver]:
    raw = ENDPOINTS_FILE.read_bytes()
    import json

    return EndpointResolver(json.loads(raw)), EndpointResolver(trimmed_endpoints(raw))


def test_trimmed_data_keeps_every_partition_and_only_the_used_services() -> None:
    import json

    raw = ENDPOINTS_FILE.read_bytes()
    full, trimmed = json.loads(raw), trimmed_endpoints(raw)
    assert [p["partition"] for p in trimmed["partitions"]] == [p["partition"] for p in full["partitions"]]
    for whole, part in zip(full["partitions"], trimmed["partitions"], strict=True):
        assert {k: v for k, v in part.items() if k != "services"} == \
            {k: v for k, v in whole.items() if k != "services"}
        assert set(part["services"]) == set(whole["services"]) & USED_SERVICES
        assert all(part["services"][name] == whole["services"][name] for name in part["services"])
    assert len(json.dumps(trimmed)) < len(raw) / 10


def test_every_endpoint_of_the_used_services_resolves_as_with_the_full_file(
    resolvers: tuple[EndpointResolver, EndpointResolver],
) -> None:
    full, trimmed = resolvers
    regions = {region for p in full._endpoint_data["partitions"] for region in p["regions"]}
    checked = 0
    for service in sorted(USED_SERVICES):
        for partition in full.get_available_partitions():
            assert trimmed.get_available_endpoints(service, partition) == \
                full.get_available_endpoints(service, partition)
        for region in sorted(regions | {"eu-west-1", "us-gov-west-1", "cn-north-1", "xx-nowhere-1"}):
            for fips in (False, True):
                assert trimmed.construct_endpoint(service, region, use_fips_endpoint=fips) == \
                    full.construct_endpoint(service, region, use_fips_endpoint=fips), (service, region, fips)
                checked += 1
        assert trimmed.get_partition_for_region("eu-west-1") == full.get_partition_for_region("eu-west-1")
    assert checked > 200


def test_sessions_share_one_loader_and_clients_reach_their_regional_endpoints() -> None:
    first, second = botocore_session(region_name="eu-west-1"), botocore_session(region_name="us-east-2")
    loader = first.get_component("data_loader")
    assert second.get_component("data_loader") is loader
    assert len(loader.search_paths) == len(set(loader.search_paths))
    endpoints, _path = loader.load_data_with_path("endpoints")
    assert loader.load_data_with_path("endpoints")[0] is endpoints  # parsed once for every session
    assert set(endpoints["partitions"][0]["services"]) <= USED_SERVICES
    assert second.create_client("cognito-idp").meta.endpoint_url == "https://cognito-idp.us-east-2.amazonaws.com"
    assert first.create_client("logs").meta.endpoint_url == "https://logs.eu-west-1.amazonaws.com"
    fips = botocore_session(region_name="us-gov-west-1").create_client("cognito-idp")
    assert fips.meta.endpoint_url == "https://cognito-idp.us-gov-west-1.amazonaws.com"
