# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""$first/$last, $orderby, $select, $expand, $format parsing and application."""
from __future__ import annotations

import pytest

from cimi_provider.query import (
    QueryError, QueryParams, apply_collection_query, expand_paths, parse_query,
    select_attributes, select_collection,
)

ITEMS = [{"id": f"m{n}", "cpu": n} for n in range(1, 6)]


def page(**params):
    q = parse_query({key.replace("_", "$", 1) if key.startswith("_") else key: value
                     for key, value in params.items()})
    count, items = apply_collection_query(ITEMS, q)
    return count, [item["id"] for item in items]


def test_defaults_return_everything():
    assert page() == (5, ["m1", "m2", "m3", "m4", "m5"])
    assert parse_query({}) == QueryParams()


@pytest.mark.parametrize("first,last,expected", [
    ("2", "3", ["m2", "m3"]), ("2", None, ["m2", "m3", "m4", "m5"]),
    (None, "2", ["m1", "m2"]), ("4", "99", ["m4", "m5"]), ("6", "9", []),
    ("3", "2", []), ("5", "5", ["m5"]), ("0", "1", ["m1"]), (None, "0", []),
    ("99", None, []), ("1", "1", ["m1"]),
])
def test_first_last(first, last, expected):
    params = {}
    if first is not None:
        params["_first"] = [first]
    if last is not None:
        params["_last"] = [last]
    assert page(**params) == (5, expected)


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "", " ", "1e3", "0x10", "9" * 40])
def test_non_integer_ordinals_refused(bad):
    with pytest.raises(QueryError, match=r"\$first must be"):
        parse_query({"$first": [bad]})
    with pytest.raises(QueryError, match=r"\$last must be"):
        parse_query({"$last": [bad]})


def test_first_repeat_ignored_and_string_value_accepted():
    assert parse_query({"$first": ["2", "x"]}).first == 2
    assert parse_query({"$last": "3"}).last == 3


def test_count_is_after_filter_before_paging():
    assert page(_filter=["cpu>2"], _first=["2"]) == (3, ["m4", "m5"])
    assert page(_filter=["cpu>2"], _last=["0"]) == (3, [])


def test_repeated_filters_are_anded():
    assert page(_filter=["cpu>1", "cpu<4"]) == (2, ["m2", "m3"])


def test_blank_filter_ignored_bad_filter_refused():
    assert page(_filter=[""]) == (5, ["m1", "m2", "m3", "m4", "m5"])
    with pytest.raises(QueryError, match="position"):
        parse_query({"$filter": ["cpu>"]})


def test_unknown_parameters_ignored():
    assert parse_query({"foo": ["bar"], "$unknown": ["x"], "$top": ["1"]}) == QueryParams()


def test_orderby_parse():
    q = parse_query({"$orderby": ["cpu:desc, memory:asc", "name"]})
    assert q.orderby == (("cpu", True), ("memory", False), ("name", False))
    assert parse_query({"$orderby": ["cpu:DESC"]}).orderby == (("cpu", True),)
    with pytest.raises(QueryError, match="direction"):
        parse_query({"$orderby": ["cpu:down"]})
    with pytest.raises(QueryError, match="not an attribute name"):
        parse_query({"$orderby": ["disks/name"]})


def order(items, spec):
    _, out = apply_collection_query(items, parse_query({"$orderby": [spec]}))
    return [item["id"] for item in out]


def test_orderby_integers_and_desc():
    items = [{"id": "a", "cpu": 10}, {"id": "b", "cpu": 2}, {"id": "c", "cpu": -3}]
    assert order(items, "cpu") == ["c", "b", "a"]
    assert order(items, "cpu:desc") == ["a", "b", "c"]


def test_orderby_booleans_false_first():
    items = [{"id": "a", "ok": True}, {"id": "b", "ok": False}]
    assert order(items, "ok") == ["b", "a"]
    assert order(items, "ok:desc") == ["a", "b"]


def test_orderby_datetimes_as_instants():
    items = [{"id": "a", "t": "2012-05-25T13:30:15-05:00"},   # 18:30:15Z
             {"id": "b", "t": "2012-05-25T19:00:00+02:00"},   # 17:00Z
             {"id": "c", "t": "2012-05-25T18:00:00Z"}]
    assert order(items, "t") == ["b", "c", "a"]


def test_orderby_strings_nfkd():
    # U+FB01 (fi ligature) decomposes to "fi": sorts between "fh" and "fj".
    items = [{"id": "a", "name": "fj"}, {"id": "b", "name": "\ufb01"}, {"id": "c", "name": "fh"}]
    assert order(items, "name") == ["c", "b", "a"]


def test_orderby_missing_last_both_directions_and_stable():
    items = [{"id": "a"}, {"id": "b", "cpu": 1}, {"id": "c", "cpu": 1}, {"id": "d", "cpu": 0},
             {"id": "e"}]
    assert order(items, "cpu") == ["d", "b", "c", "a", "e"]
    assert order(items, "cpu:desc") == ["b", "c", "d", "a", "e"]


def test_orderby_multiple_keys():
    items = [{"id": "a", "cpu": 2, "memory": 5}, {"id": "b", "cpu": 4, "memory": 1},
             {"id": "c", "cpu": 2, "memory": 1}]
    assert order(items, "cpu:desc,memory:asc") == ["b", "c", "a"]
    assert order(items, "cpu,memory:desc") == ["a", "c", "b"]


def test_orderby_then_paging():
    _, out = apply_collection_query(ITEMS, parse_query({"$orderby": ["cpu:desc"], "$first": ["2"],
                                                        "$last": ["3"]}))
    assert [item["id"] for item in out] == ["m4", "m3"]


def test_orderby_mixed_types_does_not_fault():
    items = [{"id": "a", "v": "x"}, {"id": "b", "v": 1}, {"id": "c", "v": {"href": "h"}},
             {"id": "d", "v": True}]
    assert order(items, "v") == ["d", "b", "a", "c"]


def test_select_parse_and_merge():
    q = parse_query({"$select": ["name, cpu", "state", "bad name", "disks/name", "a/b/c"]})
    assert q.select == frozenset({"name", "cpu", "state", "disks/name"})
    assert parse_query({"$select": ["*"]}).select == frozenset({"*"})


RES = {"resourceURI": "R", "id": "i", "name": "n", "description": "d", "cpu": 2,
       "disks": [{"capacity": 1, "format": "ext4"}], "interfaces": {"href": "h", "id": "c", "count": 1},
       "operations": [{"rel": "edit", "href": "i"}]}


def test_select_attributes():
    assert select_attributes(RES, None) == RES
    assert select_attributes(RES, frozenset({"*"})) == RES
    assert select_attributes(RES, frozenset({"cpu", "nosuch"})) == {"resourceURI": "R", "id": "i", "cpu": 2}
    assert list(select_attributes(RES, frozenset({"operations", "name"}))) == \
        ["resourceURI", "id", "name", "operations"]
    assert select_attributes(RES, frozenset({"disks/format"}))["disks"] == [{"format": "ext4"}]
    assert select_attributes(RES, frozenset({"interfaces/count"}))["interfaces"] == \
        {"href": "h", "id": "c", "count": 1}


def test_select_collection():
    coll = {"resourceURI": "C", "id": "c", "count": 2,
            "disks": [{"resourceURI": "D", "id": "d1", "name": "a", "capacity": 5, "format": "x"}],
            "operations": [{"rel": "add", "href": "c"}]}
    assert select_collection(coll, "disks", frozenset({"count", "operations"})) == \
        {"resourceURI": "C", "id": "c", "count": 2, "operations": coll["operations"]}
    out = select_collection(coll, "disks", frozenset({"name", "capacity"}))
    assert out == {"resourceURI": "C", "id": "c",
                   "disks": [{"resourceURI": "D", "id": "d1", "name": "a", "capacity": 5}]}
    out = select_collection(coll, "disks", frozenset({"disks/name", "operations"}))
    assert out["disks"] == [{"resourceURI": "D", "id": "d1", "name": "a"}] and "operations" in out
    assert select_collection(coll, "disks", frozenset({"disks"}))["disks"] == coll["disks"]
    assert select_collection(coll, "disks", None) == coll


def test_expand():
    assert parse_query({}).expand is None
    assert parse_query({"$expand": [""]}).expand == frozenset({"*"})
    q = parse_query({"$expand": ["machineConfig", "interfaces/endpoints,volumes"]})
    assert q.expand == frozenset({"machineConfig", "interfaces/endpoints", "volumes"})
    assert expand_paths(q.expand) == {"machineConfig": set(), "interfaces": {"endpoints"},
                                      "volumes": set()}
    assert expand_paths(frozenset({"*"})) == {"*": set()}
    assert expand_paths(None) == {}
    assert expand_paths(["interfaces", "interfaces/endpoints"]) == {"interfaces": {"endpoints"}}


def test_format():
    assert parse_query({"$format": ["XML", "json"]}).format == "xml"
    assert parse_query({"$format": ["yaml"]}).format == "yaml"
