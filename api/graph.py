"""The one visualiser form of a graph answer (trace, paths, taint, cluster flows, a case):
`nodes {id kind label properties}` and `edges {id source target kind value time}`, as
Cytoscape.js, vis-network and Neo4j NVL load it. The GraphQL `graph` field and the /export
endpoints both serve this form, so a trace exported as GraphML is the same graph the front-end
drew."""

from __future__ import annotations

from fractions import Fraction
from math import floor
from typing import Any

from analysis.account_taint import EthTaint
from analysis.exposure import ClusterFlows
from analysis.taint import Row, Taint

VisNode = dict[str, Any]
VisEdge = dict[str, Any]


def vis_graph(g: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """`analysis.trace` graph (Trace.as_graph, paths_graph) to the visualiser form. An edge's
    id is the output it pays ('txid:n'), prefixed by the path rank when paths share a hop.
    Ethereum: nodes are accounts, an edge is a `transfer` (id the transfer's id, value its
    exact amount as a decimal string, `asset` among its properties)."""
    nodes = [{"id": n["id"], "kind": n["type"], "label": n["id"],
              "properties": {k: v for k, v in n.items() if k not in ("id", "type")}}
             for n in g["nodes"]]
    edges = []
    for e in g["edges"]:
        eid = e["output"] if "path" not in e else f"{e['path']}/{e['output']}"
        edges.append({"id": eid, "source": e["source"], "target": e["target"],
                      "kind": "transfer" if "asset" in e else "payment",
                      "value": e.get("value"), "time": e.get("time"),
                      "properties": {k: v for k, v in e.items()
                                     if k not in ("source", "target", "value", "time")}})
    return {"nodes": nodes, "edges": edges}


def taint_graph(t: Taint) -> dict[str, list[dict[str, Any]]]:
    """A taint answer in the visualiser form, as a flow graph: address nodes (an output without
    an address is its own node) and transaction nodes (tainted in, out and fee, rounded down),
    with a `spend` edge from each tainted output a transaction spends (id 'spend:txid:n') and a
    `payment` edge to each output it taints (id 'txid:n'). Edge values are tainted satoshi,
    rounded down as the CLI reports them; `exact` keeps each amount exactly ('40/3' for a
    haircut share, '12' for whole satoshi)."""
    tainted: dict[str, tuple[str, Fraction]] = {}  # output -> (its node, its exact taint)
    nodes: dict[str, VisNode] = {}

    def party(address: str | None, output: str, source: bool) -> str:
        key = address or output
        n = nodes.setdefault(key, {"id": key, "kind": "address" if address else "output",
                                   "label": key, "properties": {"source": False}})
        n["properties"]["source"] |= source
        return key

    for s in t.start:
        tainted[s.output] = (party(s.address, s.output, True), Fraction(s.value))
    for r in t.rows:
        tainted[r.output] = (party(r.address, r.output, False), r.exact)
    edges: list[VisEdge] = []
    by_tx: dict[str, list[Row]] = {}
    for r in t.rows:
        by_tx.setdefault(r.txid, []).append(r)
    for f in t.flows:
        nodes[f.txid] = {"id": f.txid, "kind": "transaction", "label": f.txid, "properties": {
            "hop": f.hop, "height": f.height, "tainted_in": floor(f.tainted_in),
            "tainted_out": floor(f.tainted_out), "tainted_fee": floor(f.tainted_fee)}}
        for o in f.inputs:
            key, amount = tainted[o]
            edges.append({"id": f"spend:{o}", "source": key, "target": f.txid, "kind": "spend",
                          "value": floor(amount), "time": None,
                          "properties": {"output": o, "exact": str(amount)}})
        for r in by_tx.get(f.txid, ()):
            edges.append({"id": r.output, "source": f.txid, "target": tainted[r.output][0],
                          "kind": "payment", "value": r.tainted_value, "time": None,
                          "properties": {"output": r.output, "exact": str(r.exact),
                                         "output_value": r.value, "hop": r.hop,
                                         "height": r.height, "status": r.status}})
        for o, amount in f.to_sources:  # a source reached from another: the overlap
            edges.append({"id": o, "source": f.txid, "target": tainted[o][0], "kind": "payment",
                          "value": floor(amount), "time": None,
                          "properties": {"output": o, "exact": str(amount), "to_source": True}})
    return {"nodes": sorted(nodes.values(), key=lambda n: (n["kind"], n["id"])),
            "edges": edges}


def eth_taint_graph(t: EthTaint) -> dict[str, list[dict[str, Any]]]:
    """An Ethereum taint answer in the visualiser form: account nodes (`source` true for a
    source account and for the recipient of a source transfer: where taint starts) and one
    `transfer` edge per source transfer (hop 0, tainted in full) and per row, valued at its
    tainted amount rounded down as the CLI reports it; `exact` keeps it exactly, `amount` is
    the transfer's whole value."""
    nodes: dict[str, VisNode] = {}

    def account(address: str, source: bool = False) -> str:
        n = nodes.setdefault(address, {"id": address, "kind": "account", "label": address,
                                       "properties": {"source": False}})
        n["properties"]["source"] |= source
        return address

    for a in t.source_accounts:
        account(a, True)
    edges: list[VisEdge] = []
    for s in t.sources:
        edges.append({"id": s.id, "source": account(s.frm), "target": account(s.to, True),
                      "kind": "transfer", "value": s.value, "time": None,
                      "properties": {"exact": str(s.value), "amount": str(s.value), "hop": 0,
                                     "txid": s.txid, "height": s.height, "asset": t.asset,
                                     "source": True}})
    for r in t.rows:
        x = r.transfer
        edges.append({"id": x.id, "source": account(x.frm), "target": account(x.to),
                      "kind": "transfer", "value": r.tainted_value, "time": None,
                      "properties": {"exact": str(r.exact), "amount": str(x.value),
                                     "hop": r.hop, "txid": x.txid, "height": x.height,
                                     "status": r.status, "asset": t.asset}})
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges}


def cluster_flows_graph(flows: ClusterFlows) -> dict[str, list[dict[str, Any]]]:
    """Cluster flows in the visualiser form: cluster nodes, one `flow` edge per pair of
    clusters (id 'from>to': each pair occurs once, a cluster being expanded once) with the
    value and the number of transactions; the same graph as `trace cluster-flows --format
    graph-json`."""
    rows = [r for r in flows.rows if r["from_cluster"] and r["to_cluster"]]
    ids = sorted({c for r in rows for c in (r["from_cluster"], r["to_cluster"])})
    return {"nodes": [{"id": c, "kind": "cluster", "label": c, "properties": {}} for c in ids],
            "edges": [{"id": f"{r['from_cluster']}>{r['to_cluster']}",
                       "source": r["from_cluster"], "target": r["to_cluster"], "kind": "flow",
                       "value": r["value"], "time": None,
                       "properties": {"hop": r["hop"], "tx_count": r["tx_count"]}}
                      for r in rows]}

