from django.urls import get_resolver, resolve, reverse


def test_the_gate_scan_routes_are_tried_first_and_resolve_as_before():
    # Django tries the API's patterns in order (one per operation, app by app): the gate's
    # scan endpoints come first, so a scan is not matched against ~30 others (firstline/urls).
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert [p.name for p in api.url_patterns[:2]] == ["gate_scan", "gate_scan_batch"]
    assert resolve("/api/v1/gate/scans").url_name == "gate_scan"
    assert resolve("/api/v1/gate/scans/batch").url_name == "gate_scan_batch"
    assert reverse("api:gate_scan") == "/api/v1/gate/scans"
    # every other operation still resolves to its own view
    assert resolve("/api/v1/gate/snapshot").url_name == "gate_snapshot"
