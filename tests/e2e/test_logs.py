"""CloudWatch Logs (JSON 1.1, Logs_20140328.*): groups, streams, events, and the pagination rules the
SageMaker SDK depends on (clients README §2.6):
- DescribeLogStreams must not return `nextToken` when nothing remains (the SDK loops `while "nextToken" in resp`
  without passing the token, so a stray token is an infinite loop);
- GetLogEvents always returns `nextForwardToken`, and at the end echoes the token it was given.
"""

import json
import time
import uuid

import pytest

from e2e_helpers import expect_client_error

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def logs(kiln):
    return kiln.client("logs")


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def group(logs):
    name = f"/e2e/{uuid.uuid4().hex[:12]}"
    logs.create_log_group(logGroupName=name)
    yield name
    try:
        logs.delete_log_group(logGroupName=name)
    except Exception:
        pass


def put_events(logs, group, stream, messages, start_ms, step_ms=10):
    events = [{"timestamp": start_ms + i * step_ms, "message": m} for i, m in enumerate(messages)]
    resp = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    assert "rejectedLogEventsInfo" not in resp, resp
    return events


# --------------------------------------------------------------------------- groups


def test_create_log_group_twice_is_resource_already_exists(logs, group):
    expect_client_error(logs.create_log_group, logGroupName=group, code="ResourceAlreadyExistsException", status=400)


def test_describe_log_groups_by_prefix(logs, group):
    resp = logs.describe_log_groups(logGroupNamePrefix=group)
    assert [g["logGroupName"] for g in resp["logGroups"]] == [group]
    assert "nextToken" not in resp
    entry = resp["logGroups"][0]
    assert abs(entry["creationTime"] - now_ms()) < 120_000
    assert entry["arn"].startswith(f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}")
    assert entry["storedBytes"] >= 0


def test_describe_log_groups_pagination(logs):
    prefix = f"/e2e-page/{uuid.uuid4().hex[:8]}/"
    names = [f"{prefix}{c}" for c in "edcba"]
    for n in names:
        logs.create_log_group(logGroupName=n)
    try:
        seen, token, calls = [], None, 0
        while True:
            kwargs = {"logGroupNamePrefix": prefix, "limit": 2}
            if token:
                kwargs["nextToken"] = token
            resp = logs.describe_log_groups(**kwargs)
            calls += 1
            assert len(resp["logGroups"]) <= 2
            seen += [g["logGroupName"] for g in resp["logGroups"]]
            token = resp.get("nextToken")
            if not token:
                break
            assert calls < 10, "describe_log_groups pagination does not end"
        assert seen == sorted(names)
        # With room to spare, no token at all.
        assert "nextToken" not in logs.describe_log_groups(logGroupNamePrefix=prefix, limit=50)
    finally:
        for n in names:
            logs.delete_log_group(logGroupName=n)


def test_delete_log_group(logs):
    name = f"/e2e/del-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    expect_client_error(logs.delete_log_group, logGroupName=name, code="ResourceNotFoundException", status=400)
    expect_client_error(logs.get_log_events, logGroupName=name, logStreamName="s",
                        code="ResourceNotFoundException", status=400)


# --------------------------------------------------------------------------- streams and events


def test_create_log_stream_errors(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="dup")
    expect_client_error(logs.create_log_stream, logGroupName=group, logStreamName="dup",
                        code="ResourceAlreadyExistsException", status=400)
    expect_client_error(logs.create_log_stream, logGroupName=f"{group}-missing", logStreamName="s",
                        code="ResourceNotFoundException", status=400)


def test_put_log_events_to_missing_stream(logs, group):
    expect_client_error(logs.put_log_events, logGroupName=group, logStreamName="absent",
                        logEvents=[{"timestamp": now_ms(), "message": "x"}],
                        code="ResourceNotFoundException", status=400)


def test_put_log_events_out_of_order_is_invalid_parameter(logs, group):
    # AWS: "The log events in the batch must be in chronological order by their timestamp."
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t = now_ms()
    expect_client_error(logs.put_log_events, logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "later"}, {"timestamp": t - 1000, "message": "earlier"}],
                        code="InvalidParameterException", status=400)


def test_put_and_get_log_events_in_order(logs, group):
    stream = "job-1/algo-1-1700000000"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    start = now_ms() - 60_000
    first = put_events(logs, group, stream, [f"line {i}" for i in range(10)], start)
    second = put_events(logs, group, stream, [f"more {i}" for i in range(5)], start + 1000)
    resp = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    events = resp["events"]
    assert [e["message"] for e in events] == [e["message"] for e in first + second]
    assert [e["timestamp"] for e in events] == [e["timestamp"] for e in first + second]
    assert all(isinstance(e["ingestionTime"], int) for e in events)
    assert resp["nextForwardToken"] and resp["nextBackwardToken"]


def test_events_are_returned_in_timestamp_order_across_batches(logs, group):
    # Batches may arrive out of order relative to each other (only events *within* one PutLogEvents batch must
    # be chronological). GetLogEvents docs: "If the value [startFromHead] is true, the earliest log events are
    # returned first" - earliest by event timestamp. Events sharing a timestamp keep their ingestion order.
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t = now_ms() - 60_000
    put_events(logs, group, "s", ["late 0", "late 1"], t + 5000)
    put_events(logs, group, "s", ["early 0", "early 1"], t)
    logs.put_log_events(logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": t + 9000, "message": f"same {i}"} for i in range(4)])
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["early 0", "early 1", "late 0", "late 1",
                                              "same 0", "same 1", "same 2", "same 3"]


def test_get_log_events_forward_paging_ends_with_same_token(logs, group):
    stream = "paged"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    sent = put_events(logs, group, stream, [f"event {i:02d}" for i in range(10)], now_ms() - 30_000)

    resp = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=3)
    got = [e["message"] for e in resp["events"]]
    assert got == ["event 00", "event 01", "event 02"]
    token = resp["nextForwardToken"]
    for _ in range(10):
        resp = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=3,
                                   nextToken=token)
        assert "nextForwardToken" in resp, "GetLogEvents must always return nextForwardToken"
        if not resp["events"]:
            # AWS: "If you have reached the end of the stream, it returns the same token you passed in."
            assert resp["nextForwardToken"] == token
            break
        got += [e["message"] for e in resp["events"]]
        token = resp["nextForwardToken"]
    else:
        pytest.fail("GetLogEvents forward paging never returned an empty page")
    assert got == [e["message"] for e in sent]

    # New events written later are picked up from the saved token (this is how `fit(logs=True)` tails).
    put_events(logs, group, stream, ["late 1", "late 2"], sent[-1]["timestamp"] + 1000)
    resp = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, nextToken=token)
    assert [e["message"] for e in resp["events"]] == ["late 1", "late 2"]


def test_get_log_events_default_returns_latest(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    sent = put_events(logs, group, "s", [f"m{i}" for i in range(10)], now_ms() - 30_000)
    resp = logs.get_log_events(logGroupName=group, logStreamName="s", limit=3)
    # Without startFromHead the latest events are returned (still in chronological order within the page).
    assert [e["message"] for e in resp["events"]] == [e["message"] for e in sent[-3:]]
    older = logs.get_log_events(logGroupName=group, logStreamName="s", limit=3, nextToken=resp["nextBackwardToken"])
    assert [e["message"] for e in older["events"]] == [e["message"] for e in sent[-6:-3]]


def test_get_log_events_time_window(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    sent = put_events(logs, group, "s", [f"t{i}" for i in range(6)], now_ms() - 30_000, step_ms=1000)
    resp = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True,
                               startTime=sent[1]["timestamp"], endTime=sent[4]["timestamp"])
    # GetLogEvents docs: startTime inclusive; endTime "Events with a timestamp equal to or later than this
    # time are not included."
    assert [e["message"] for e in resp["events"]] == ["t1", "t2", "t3"]


def test_get_log_events_empty_stream(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="quiet")
    resp = logs.get_log_events(logGroupName=group, logStreamName="quiet", startFromHead=True)
    assert resp["events"] == []
    token = resp["nextForwardToken"]
    again = logs.get_log_events(logGroupName=group, logStreamName="quiet", startFromHead=True, nextToken=token)
    assert again["events"] == [] and again["nextForwardToken"] == token


def test_get_log_events_missing_stream_or_group(logs, group):
    expect_client_error(logs.get_log_events, logGroupName=group, logStreamName="never-created",
                        code="ResourceNotFoundException", status=400)
    expect_client_error(logs.get_log_events, logGroupName=f"{group}-nope", logStreamName="s",
                        code="ResourceNotFoundException", status=400)


# --------------------------------------------------------------------------- DescribeLogStreams


@pytest.fixture
def streams(logs, group):
    """Four streams whose LastEventTime order differs from their name order."""
    t = now_ms() - 120_000
    plan = {  # stream -> offset of its events
        "jobA/algo-1-100": 40_000,
        "jobA/algo-2-100": 20_000,
        "jobB/algo-1-100": 0,
        "other": 30_000,
    }
    for name, offset in plan.items():
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put_events(logs, group, name, [f"{name} a", f"{name} b"], t + offset)
    by_time = sorted(plan, key=plan.get)
    return group, sorted(plan), by_time, {n: t + o for n, o in plan.items()}


def test_describe_log_streams_default_order_and_no_token(logs, streams):
    group, by_name, _, _ = streams
    resp = logs.describe_log_streams(logGroupName=group)
    assert [s["logStreamName"] for s in resp["logStreams"]] == by_name
    assert "nextToken" not in resp


def test_describe_log_streams_prefix_like_the_sagemaker_sdk(logs, streams):
    group, _, _, first_ts = streams
    resp = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="jobA/", orderBy="LogStreamName",
                                     limit=50)
    assert [s["logStreamName"] for s in resp["logStreams"]] == ["jobA/algo-1-100", "jobA/algo-2-100"]
    assert "nextToken" not in resp, "a nextToken with nothing left makes the SageMaker SDK loop forever"
    s = resp["logStreams"][0]
    assert s["firstEventTimestamp"] == first_ts["jobA/algo-1-100"]
    assert s["lastEventTimestamp"] == first_ts["jobA/algo-1-100"] + 10
    assert s["creationTime"] > 0 and s["lastIngestionTime"] > 0
    assert s["arn"].startswith(f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}:log-stream:jobA/algo-1-100")
    # The SDK's loop, verbatim in spirit: re-call (without the token) while "nextToken" is present.
    calls = 1
    while "nextToken" in resp:
        calls += 1
        assert calls < 5, "DescribeLogStreams keeps returning nextToken"
        resp = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="jobA/", limit=50)


def test_describe_log_streams_descending(logs, streams):
    group, by_name, _, _ = streams
    resp = logs.describe_log_streams(logGroupName=group, orderBy="LogStreamName", descending=True)
    assert [s["logStreamName"] for s in resp["logStreams"]] == list(reversed(by_name))


def test_describe_log_streams_by_last_event_time(logs, streams):
    group, _, by_time, _ = streams
    resp = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime")
    assert [s["logStreamName"] for s in resp["logStreams"]] == by_time
    resp = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in resp["logStreams"]] == list(reversed(by_time))


def test_describe_log_streams_last_event_time_with_prefix_is_invalid(logs, streams):
    # AWS: "If you order the results by event time, you cannot specify the logStreamNamePrefix parameter."
    group = streams[0]
    expect_client_error(logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime",
                        logStreamNamePrefix="jobA/", code="InvalidParameterException", status=400)


def test_describe_log_streams_pagination_with_limit(logs, streams):
    group, by_name, _, _ = streams
    seen, token = [], None
    for _ in range(10):
        kwargs = {"logGroupName": group, "limit": 1}
        if token:
            kwargs["nextToken"] = token
        resp = logs.describe_log_streams(**kwargs)
        assert len(resp["logStreams"]) <= 1
        seen += [s["logStreamName"] for s in resp["logStreams"]]
        token = resp.get("nextToken")
        if not token:
            break
    else:
        pytest.fail("DescribeLogStreams pagination never ended")
    assert seen == by_name
    paged = []
    for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=group,
                                                                     PaginationConfig={"PageSize": 3}):
        paged += [s["logStreamName"] for s in page["logStreams"]]
    assert paged == by_name


def test_describe_log_streams_missing_group(logs):
    expect_client_error(logs.describe_log_streams, logGroupName=f"/e2e/missing-{uuid.uuid4().hex[:6]}",
                        code="ResourceNotFoundException", status=400)


# --------------------------------------------------------------------------- FilterLogEvents


@pytest.fixture
def filterable(logs, group):
    t = now_ms() - 60_000
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    logs.create_log_stream(logGroupName=group, logStreamName="s2")
    s1 = put_events(logs, group, "s1", ["INFO start", "ERROR disk full", "INFO step 2"], t, step_ms=100)
    s2 = put_events(logs, group, "s2", ["WARN slow", "ERROR timeout reached", "INFO done"], t + 50, step_ms=100)
    everything = sorted([(e["timestamp"], "s1", e["message"]) for e in s1] +
                        [(e["timestamp"], "s2", e["message"]) for e in s2])
    return group, everything


def _triples(events):
    return [(e["timestamp"], e["logStreamName"], e["message"]) for e in events]


def test_filter_log_events_all_in_time_order(logs, filterable):
    # AWS FilterLogEvents docs (`interleaved`): "the response from this operation always interleaves events
    # from multiple log streams within a log group" - i.e. one timestamp-ordered sequence.
    group, everything = filterable
    resp = logs.filter_log_events(logGroupName=group)
    assert _triples(resp["events"]) == everything
    assert all(e["eventId"] and isinstance(e["ingestionTime"], int) for e in resp["events"])
    assert "nextToken" not in resp


def test_filter_log_events_pattern(logs, filterable):
    group, everything = filterable
    resp = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")
    assert [m for _, _, m in _triples(resp["events"])] == ["ERROR disk full", "ERROR timeout reached"]
    resp = logs.filter_log_events(logGroupName=group, filterPattern="ERROR timeout")
    assert [m for _, _, m in _triples(resp["events"])] == ["ERROR timeout reached"]
    resp = logs.filter_log_events(logGroupName=group, filterPattern='"disk full"')
    assert [m for _, _, m in _triples(resp["events"])] == ["ERROR disk full"]


def test_filter_log_events_by_stream(logs, filterable):
    group, everything = filterable
    resp = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="s1")
    assert _triples(resp["events"]) == [t for t in everything if t[1] == "s1"]
    resp = logs.filter_log_events(logGroupName=group, logStreamNames=["s2"])
    assert _triples(resp["events"]) == [t for t in everything if t[1] == "s2"]


def test_filter_log_events_time_window(logs, filterable):
    group, everything = filterable
    start, end = everything[1][0], everything[4][0]
    # FilterLogEvents docs: "Events with a timestamp later than this time are not returned" (end inclusive).
    resp = logs.filter_log_events(logGroupName=group, startTime=start, endTime=end)
    assert _triples(resp["events"]) == [t for t in everything if start <= t[0] <= end]


def test_filter_log_events_pagination(logs, filterable):
    group, everything = filterable
    seen, token = [], None
    for _ in range(10):
        kwargs = {"logGroupName": group, "limit": 2}
        if token:
            kwargs["nextToken"] = token
        resp = logs.filter_log_events(**kwargs)
        assert len(resp["events"]) <= 2
        seen += _triples(resp["events"])
        token = resp.get("nextToken")
        if not token:
            break
    else:
        pytest.fail("FilterLogEvents pagination never ended")
    assert seen == everything


def test_filter_log_events_missing_group(logs):
    expect_client_error(logs.filter_log_events, logGroupName=f"/e2e/none-{uuid.uuid4().hex[:6]}",
                        code="ResourceNotFoundException", status=400)


# --------------------------------------------------------------------------- CLI


def test_cli_logs(kiln, logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="cli/stream")
    put_events(logs, group, "cli/stream", ["hello from cli", "second line"], now_ms() - 5000)
    out = kiln.aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "cli/stream",
                   "--start-from-head", "--output", "json")
    doc = json.loads(out.stdout)
    assert [e["message"] for e in doc["events"]] == ["hello from cli", "second line"]
    assert doc["nextForwardToken"]
    out = kiln.aws("logs", "describe-log-streams", "--log-group-name", group, "--output", "json", timeout=60)
    assert [s["logStreamName"] for s in json.loads(out.stdout)["logStreams"]] == ["cli/stream"]
    out = kiln.aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "second",
                   "--output", "json", timeout=60)
    assert [e["message"] for e in json.loads(out.stdout)["events"]] == ["second line"]


# --------------------------------------------------------------------------- JSON edge cases


@pytest.mark.parametrize("limit", [1, 2, 50])
def test_small_integer_limits_are_integers(logs, group, limit):
    # JSON `1` is a number, not a boolean (a Foundation NSNumber bridging trap).
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    put_events(logs, group, "s", ["a", "b"], now_ms() - 5000)
    assert len(logs.describe_log_groups(logGroupNamePrefix=group, limit=limit)["logGroups"]) == 1
    assert len(logs.describe_log_streams(logGroupName=group, limit=limit)["logStreams"]) == 1
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, limit=limit)["events"]
    assert [e["message"] for e in events] == ["a", "b"][:limit]
    assert len(logs.filter_log_events(logGroupName=group, limit=limit)["events"]) == min(limit, 2)


def test_boolean_where_integer_expected_is_serialization_exception(kiln, group):
    from e2e_helpers import json_call

    body = json.dumps({"logGroupName": group, "limit": True}).encode()
    resp = json_call(kiln, "Logs_20140328.DescribeLogStreams", body, service="logs")
    assert resp.status == 400 and resp.error_code == "SerializationException", (resp.status, resp.body)


def test_malformed_json_is_serialization_exception(kiln):
    from e2e_helpers import json_call

    resp = json_call(kiln, "Logs_20140328.DescribeLogGroups", b'{"limit": 5,', service="logs")
    assert resp.status == 400 and resp.error_code == "SerializationException", (resp.status, resp.body)
