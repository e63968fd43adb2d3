"""`chaintrail cluster` and the clustering options of `chaintrail load`: JSON summaries, the
stored configuration, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.exposure import cluster_flows
from api.graph import cluster_flows_graph
from cypher.runner import Graph
from tests.helpers import run_cli, wipe

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]) -> Path:
    out = tmp_path_factory.mktemp("cli-cluster")
    run_cli(cli_env, "sample", "generate", "--txs", "1500", "--seed", "4", str(out / "chain"))
    return out / "chain"


def blocks(graph: Graph) -> int:
    with graph.driver.session(database=graph.database) as s:
        return int(s.run("MATCH (b:Block) RETURN count(b) AS n").single(strict=True)["n"])


def test_load_clusters_and_cluster_rebuild_switches_the_filter(
        graph: Graph, sample: Path, cli_env: dict[str, str]) -> None:
    wipe(graph)
    load = json.loads(run_cli(cli_env, "load", "bitcoin", str(sample)).stdout)
    assert load["clustering"]["txs"] == load["txs"]  # every new transaction, once
    assert load["clustering"]["skipped_coinjoins"] > 0
    on = graph.read("cluster/stats")[0]
    assert on["config"]["coinjoin_filter"] is True
    out = json.loads(run_cli(cli_env, "cluster", "--rebuild", "--no-coinjoin-filter").stdout)
    assert (out["config"]["coinjoin_filter"], out["skipped_coinjoins"]) == (False, 0)
    assert out["txs"] == load["clustering"]["txs"]
    off = graph.read("cluster/stats")[0]
    assert off["clusters"] < on["clusters"] and off["config"]["coinjoin_filter"] is False
    # nothing pending: `cluster` alone has nothing to do and keeps the stored configuration
    again = json.loads(run_cli(cli_env, "cluster").stdout)
    assert (again["txs"], again["config"]["coinjoin_filter"]) == (0, False)


def test_a_load_with_another_configuration_is_refused_before_writing(
        graph: Graph, sample: Path, cli_env: dict[str, str], shared_data: Path) -> None:
    wipe(graph)
    run_cli(cli_env, "load", "bitcoin", str(sample))
    before = blocks(graph)
    proc = run_cli(cli_env, "load", "bitcoin", "--no-coinjoin-filter",
                   str(shared_data / "bitcoin/raw/0099960.raw"), "--height", "99960",
                   check=False)
    assert proc.returncode == 1
    assert "chaintrail cluster --rebuild" in proc.stderr and "coinjoin_filter=True" in proc.stderr
    assert blocks(graph) == before


@pytest.mark.parametrize(("args", "message"), [
    (["cluster", "--change-heuristics", "optimal_change,nonsense"], "nonsense"),
    (["query", "cluster/of_address", "-p", "address=not-an-address"], "address"),
    (["query", "cluster/explain", "-p", "a=1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"], "b"),
])
def test_bad_input_is_a_clear_error(cli_env: dict[str, str], args: list[str],
                                    message: str) -> None:
    proc = run_cli(cli_env, *args, check=False)
    assert proc.returncode == 1, proc.stdout
    assert "error:" in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_heuristic_lists_the_known_ones(cli_env: dict[str, str]) -> None:
    proc = run_cli(cli_env, "cluster", "--change-heuristics", "nonsense", check=False)
    for name in ("address_reuse", "one_time_change", "optimal_change", "power_of_ten"):
        assert name in proc.stderr


def test_explain_of_an_address_with_itself_or_an_unknown_one_is_empty(
        cli_env: dict[str, str]) -> None:
    a = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    for b in (a, "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"):
        out = run_cli(cli_env, "query", "cluster/explain", "-p", f"a={a}", "-p", f"b={b}")
        assert json.loads(out.stdout) == []


def test_cluster_flows_and_exposure_commands(graph: Graph, sample: Path,
                                             cli_env: dict[str, str]) -> None:
    wipe(graph)
    run_cli(cli_env, "load", "bitcoin", str(sample))
    cid = graph.read("cluster/largest", {"limit": 1})[0]["cluster_id"]
    flows = json.loads(run_cli(cli_env, "trace", "cluster-flows", cid, "--max-hops", "2").stdout)
    assert flows["cluster_id"] == cid and flows["rows"]
    assert {r["hop"] for r in flows["rows"]} <= {1, 2}
    assert all(r["from_cluster"] == cid for r in flows["rows"] if r["hop"] == 1)
    g = json.loads(run_cli(cli_env, "trace", "cluster-flows", cid, "--format",
                           "graph-json").stdout)
    ids = {n["id"] for n in g["nodes"]}
    assert cid in ids and all(e["source"] in ids and e["target"] in ids for e in g["edges"])
    # the API's visualiser form (its `graph` field, /export), with the answer's truncation
    assert {k: g[k] for k in ("nodes", "edges")} == cluster_flows_graph(
        cluster_flows(graph, cid, "out", 2))
    assert g["truncated"] is flows["truncated"] and {e["kind"] for e in g["edges"]} == {"flow"}
    exp = json.loads(run_cli(cli_env, "exposure", f"cluster:{cid}", "--direction", "received",
                             "--max-hops", "2").stdout)
    assert exp["target"].endswith(cid) and exp["total"] > 0
    assert exp["rows"] == []  # no tags loaded: no category to be exposed to
    assert sum(exp["not_exposure"].values()) <= exp["total"] + 1
    bad = run_cli(cli_env, "trace", "cluster-flows", cid, "--direction", "sideways",
                  check=False)
    assert bad.returncode == 1 and "--direction" in bad.stderr
