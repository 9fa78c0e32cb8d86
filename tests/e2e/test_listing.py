"""ListObjectsV2 / ListObjects (v1) / ListObjectVersions: order, delimiter, prefix, pagination, url encoding.

Expected pages come from a small reference model of S3's listing rules:
- keys are returned in UTF-8 binary order;
- with a delimiter, keys sharing `prefix + ...delimiter` roll up into one CommonPrefix;
- MaxKeys bounds keys + CommonPrefixes together (AWS ListObjectsV2 docs: "When counting the total numbers
  of returns by this API operation, this group of keys is considered as one item.");
- v1 NextMarker is returned only when a delimiter is given (AWS ListObjects docs), and is the last key or
  CommonPrefix of the page.
"""

import pytest

from e2e_helpers import empty_and_delete_bucket, sign, raw_request, unique_name

KEYS = [
    "a.txt",
    "b.txt",
    "dir1/a.txt",
    "dir1/b.txt",
    "dir1/sub/c.txt",
    "dir1/sub/d.txt",
    "dir2/x.txt",
    "dir2/y.txt",
    "dir2/z/1.txt",
    "dir3/only.txt",
    "photos/2024/01/a.jpg",
    "photos/2024/01/b.jpg",
    "photos/2024/02/c.jpg",
    "photos/2025/d.jpg",
    "space dir/file one.txt",
    "space dir/file two.txt",
    "unicode/ünïcødé.txt",
    "unicode/日本語.txt",
    "plus+sign/a+b.txt",
    "pct%20literal.txt",
    "amp&er=sand?.txt",
    "emoji/😀.txt",
    "x/y/z/deep.txt",
    "z-last.txt",
    "~tilde",
]
assert len(KEYS) == 25


def model(keys, prefix="", delimiter=None, after=None):
    """Ordered listing entries: ("key", k) or ("prefix", p)."""
    entries, seen = [], set()
    for key in sorted(keys, key=lambda k: k.encode()):
        if not key.startswith(prefix):
            continue
        if delimiter:
            rest = key[len(prefix):]
            i = rest.find(delimiter)
            if i >= 0:
                cp = prefix + rest[: i + len(delimiter)]
                if cp not in seen and (after is None or cp > after):
                    seen.add(cp)
                    entries.append(("prefix", cp))
                continue
        if after is not None and key.encode() <= after.encode():
            continue
        entries.append(("key", key))
    return entries


def page_entries(page):
    keys = [("key", o["Key"]) for o in page.get("Contents", [])]
    prefixes = [("prefix", p["Prefix"]) for p in page.get("CommonPrefixes", [])]
    return sorted(keys + prefixes, key=lambda e: e[1].encode())


@pytest.fixture(scope="module")
def tree(kiln):
    s3 = kiln.client("s3")
    name = unique_name("tree")
    s3.create_bucket(Bucket=name)
    for key in KEYS:
        s3.put_object(Bucket=name, Key=key, Body=key.encode())
    yield name
    empty_and_delete_bucket(s3, name)


def test_list_v2_whole_bucket_in_binary_order(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree)
    keys = [o["Key"] for o in resp["Contents"]]
    assert keys == sorted(KEYS, key=lambda k: k.encode())
    assert resp["KeyCount"] == 25
    assert resp["IsTruncated"] is False
    assert "NextContinuationToken" not in resp
    by_key = {o["Key"]: o for o in resp["Contents"]}
    assert by_key["a.txt"]["Size"] == len("a.txt")
    assert by_key["a.txt"]["ETag"].startswith('"') and by_key["a.txt"]["ETag"].endswith('"')
    assert by_key["a.txt"]["StorageClass"] == "STANDARD"
    assert by_key["a.txt"]["LastModified"].tzinfo is not None


def test_list_v2_url_encoding_roundtrips_special_keys(s3, tree):
    # boto3 always sends encoding-type=url and decodes Key/Prefix/... with unquote_plus, but only if the
    # response echoes <EncodingType>url</EncodingType>. A literal '+' must therefore come back as %2B and
    # 'pct%20literal.txt' as pct%2520literal.txt.
    resp = s3.list_objects_v2(Bucket=tree)
    assert resp.get("EncodingType") == "url"
    keys = {o["Key"] for o in resp["Contents"]}
    for special in ("space dir/file one.txt", "plus+sign/a+b.txt", "pct%20literal.txt", "unicode/日本語.txt",
                    "amp&er=sand?.txt", "emoji/😀.txt"):
        assert special in keys


def test_list_v2_raw_xml_is_url_encoded(kiln, tree):
    path = f"/{tree}"
    query = "list-type=2&encoding-type=url&prefix=plus%2Bsign%2F"
    headers, _, _ = sign(kiln, "GET", path, service="s3", query=query)
    resp = raw_request(kiln, "GET", f"{path}?{query}", headers=headers)
    assert resp.status == 200, resp.body
    text = resp.body.decode()
    assert "<EncodingType>url</EncodingType>" in text
    assert "<Key>plus%2Bsign/a%2Bb.txt</Key>" in text
    assert "<Prefix>plus%2Bsign/</Prefix>" in text


@pytest.mark.parametrize("prefix,delimiter", [
    ("", "/"),
    ("dir1/", "/"),
    ("photos/", "/"),
    ("photos/2024/", "/"),
    ("space dir/", "/"),
    ("dir", "/"),
    ("nomatch/", "/"),
    ("dir1/", None),
    ("unicode/ü", None),  # a non-ASCII prefix
    ("dir1/", ".txt"),  # a multi-character delimiter: "dir1/a.txt" is itself a CommonPrefix
    ("photos/2024/", "0"),  # any string can be a delimiter
])
def test_list_v2_prefix_and_delimiter(s3, tree, prefix, delimiter):
    kwargs = {"Bucket": tree, "Prefix": prefix}
    if delimiter:
        kwargs["Delimiter"] = delimiter
    resp = s3.list_objects_v2(**kwargs)
    expected = model(KEYS, prefix, delimiter)
    assert page_entries(resp) == expected
    assert resp["KeyCount"] == len(expected)
    assert resp["Prefix"] == prefix
    if delimiter:
        assert resp["Delimiter"] == delimiter
    assert resp["IsTruncated"] is False
    if not expected:
        assert "Contents" not in resp and "CommonPrefixes" not in resp


@pytest.mark.parametrize("max_keys", [1, 2, 3, 7])
@pytest.mark.parametrize("prefix,delimiter", [("", "/"), ("", None), ("dir1/", "/"), ("photos/", None)])
def test_list_v2_pagination_counts_common_prefixes(s3, tree, max_keys, prefix, delimiter):
    expected = model(KEYS, prefix, delimiter)
    chunks = [expected[i:i + max_keys] for i in range(0, len(expected), max_keys)]
    token, pages = None, []
    for _ in range(len(KEYS) + 5):
        kwargs = {"Bucket": tree, "Prefix": prefix, "MaxKeys": max_keys}
        if delimiter:
            kwargs["Delimiter"] = delimiter
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages.append(page)
        assert page["MaxKeys"] == max_keys
        assert page["KeyCount"] == len(page.get("Contents", [])) + len(page.get("CommonPrefixes", []))
        if token:
            assert page["ContinuationToken"] == token
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
    else:
        pytest.fail("pagination never ended")
    assert [page_entries(p) for p in pages] == chunks


def test_list_v2_start_after(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, StartAfter="dir2/y.txt")
    assert [o["Key"] for o in resp["Contents"]] == [k for _, k in model(KEYS, after="dir2/y.txt")]
    assert resp["StartAfter"] == "dir2/y.txt"
    # StartAfter with pagination: each key exactly once.
    seen, token = [], None
    while True:
        kwargs = {"Bucket": tree, "StartAfter": "photos", "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        seen += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert seen == [k for _, k in model(KEYS, after="photos")]


def test_list_v2_paginator_yields_every_key_once(s3, tree):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=tree, PaginationConfig={"PageSize": 3}):
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_list_v2_paginator_with_delimiter(s3, tree):
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=tree, Delimiter="/",
                                                              PaginationConfig={"PageSize": 2}):
        entries += page_entries(page)
    assert entries == model(KEYS, "", "/")


def test_list_v2_max_keys_zero(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, MaxKeys=0)
    assert resp["KeyCount"] == 0
    assert "Contents" not in resp


def test_list_v2_invalid_continuation_token(s3, tree):
    from e2e_helpers import expect_client_error

    expect_client_error(s3.list_objects_v2, Bucket=tree, ContinuationToken="definitely-not-a-token",
                        code="InvalidArgument", status=400)


# --------------------------------------------------------------------------- v1


def test_list_v1_whole_bucket(s3, tree):
    resp = s3.list_objects(Bucket=tree)
    assert [o["Key"] for o in resp["Contents"]] == sorted(KEYS, key=lambda k: k.encode())
    assert resp["IsTruncated"] is False
    assert resp["Marker"] == ""
    assert resp["EncodingType"] == "url"


@pytest.mark.parametrize("max_keys", [2, 3])
@pytest.mark.parametrize("prefix", ["", "dir1/", "photos/"])
def test_list_v1_markers_with_delimiter(s3, tree, max_keys, prefix):
    expected = model(KEYS, prefix, "/")
    chunks = [expected[i:i + max_keys] for i in range(0, len(expected), max_keys)]
    marker, pages = "", []
    for _ in range(len(KEYS) + 5):
        page = s3.list_objects(Bucket=tree, Prefix=prefix, Delimiter="/", MaxKeys=max_keys, Marker=marker)
        pages.append(page)
        assert page["Marker"] == marker
        entries = page_entries(page)
        if not page["IsTruncated"]:
            break
        # With a delimiter S3 returns NextMarker: the last key or CommonPrefix of this page.
        assert page["NextMarker"] == entries[-1][1]
        marker = page["NextMarker"]
    else:
        pytest.fail("pagination never ended")
    assert [page_entries(p) for p in pages] == chunks


def test_list_v1_marker_without_delimiter(s3, tree):
    expected = sorted(KEYS, key=lambda k: k.encode())
    marker, keys = "", []
    while True:
        page = s3.list_objects(Bucket=tree, MaxKeys=3, Marker=marker)
        batch = [o["Key"] for o in page.get("Contents", [])]
        assert len(batch) == min(3, len(expected) - len(keys))
        keys += batch
        if not page["IsTruncated"]:
            break
        # Without a delimiter NextMarker is optional; clients then use the last key.
        marker = page.get("NextMarker", batch[-1])
    assert keys == expected


def test_list_v1_paginator_yields_every_key_once(s3, tree):
    keys = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=tree, PaginationConfig={"PageSize": 4}):
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_list_v1_marker_is_exclusive(s3, tree):
    resp = s3.list_objects(Bucket=tree, Marker="dir3/only.txt", MaxKeys=2)
    assert [o["Key"] for o in resp["Contents"]] == [k for _, k in model(KEYS, after="dir3/only.txt")][:2]


# --------------------------------------------------------------------------- versions


def test_list_object_versions_on_unversioned_bucket(s3, tree):
    resp = s3.list_object_versions(Bucket=tree, Prefix="dir1/")
    versions = resp["Versions"]
    assert [v["Key"] for v in versions] == [k for k in sorted(KEYS) if k.startswith("dir1/")]
    for v in versions:
        assert v["VersionId"] == "null"
        assert v["IsLatest"] is True
        assert v["Size"] == len(v["Key"])
        assert v["ETag"].startswith('"')
    assert resp.get("DeleteMarkers", []) == []
    assert resp["IsTruncated"] is False



def test_listing_last_modified_matches_head_object(s3, tree):
    # S3 keeps LastModified at whole seconds: listings show "...T12:34:56.000Z", the same instant that
    # HeadObject's Last-Modified header carries. Tools (sync, caches) compare the two.
    listed = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=tree, Prefix="dir1/")["Contents"]}
    for key, when in listed.items():
        assert when == s3.head_object(Bucket=tree, Key=key)["LastModified"], key
    v1 = {o["Key"]: o["LastModified"] for o in s3.list_objects(Bucket=tree, Prefix="dir1/")["Contents"]}
    assert v1 == listed
