"""The benchmark's own logic (the benchmark itself runs with `make bench`, not in the suite)."""

import pytest

from bench import load, targets
from bench.load import Sample


def sample(ms, queries=(10,)):
    return Sample(latencies=[ms / 1000] * 5, queries=set(queries))


def page(small_ms, big_ms, floor_ms=1.0, warm_ms=1.0, queries=(10,)):
    return {
        "small": {"uncached": sample(small_ms, queries)},
        "big": {
            "uncached": sample(big_ms, queries),
            "floor": sample(floor_ms),
            "warm": sample(warm_ms),
            "warm_floor": sample(floor_ms),
        },
    }


def test_the_load_client_refuses_any_host_but_this_machine():
    with pytest.raises(ValueError, match="only targets this machine"):
        load._connection("http://192.0.2.10:80")
    load._connection("http://127.0.0.1:9").close()  # no request is sent


def test_percentiles_of_a_sample():
    s = Sample(latencies=[i / 1000 for i in range(1, 101)])
    assert s.p50 == pytest.approx(0.0505)
    assert s.p95 == pytest.approx(0.09505)


def test_a_page_that_grows_with_the_data_misses_the_flat_target():
    checks = targets.page_checks({"median company": page(100, 149), "search": page(10, 20)})
    flat = {c.name: c.met for c in checks if "p50 N=1000" in c.name}
    assert flat == {
        "median company: p50 N=1000 / N=10 <= 1.5": True,
        "search: p50 N=1000 / N=10 <= 1.5": False,
    }


def test_a_query_count_that_differs_between_worlds_is_not_constant():
    pages = {"median company": page(100, 100)}
    pages["median company"]["big"]["uncached"].queries = {12}
    [queries] = [c for c in targets.page_checks(pages) if "constant queries" in c.name]
    assert queries.met is False and queries.figure == "10 vs 12"


def test_the_company_page_is_compared_with_the_floor_cold_and_warm():
    checks = targets.page_checks({"median company": page(100, 9, floor_ms=1.0, warm_ms=2.5)})
    by_name = {c.name: c for c in checks}
    assert by_name["company page uncached p50 / floor <= 10.0"].met is True
    assert by_name["company page warm-cache p50 / floor <= 2.0"].met is False


def test_commands_that_do_not_exist_yet_are_not_available_rather_than_missed():
    checks = targets.command_checks({"small": {}, "big": {}})
    assert {c.met for c in checks} == {None}
    assert all(c.verdict == "not available" for c in checks)
