"""The one visualiser form of a graph answer (trace, paths, a case): `nodes {id kind label
properties}` and `edges {id source target kind value time}`, as Cytoscape.js, vis-network and
Neo4j NVL load it. The GraphQL `graph` field and the /export endpoints both serve this form,
so a trace exported as GraphML is the same graph the front-end drew."""

from __future__ import annotations

from typing import Any

VisNode = dict[str, Any]
VisEdge = dict[str, Any]


def vis_graph(g: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """`analysis.trace` graph (Trace.as_graph, paths_graph) to the visualiser form. An edge's
    id is the output it pays ('txid:n'), prefixed by the path rank when paths share a hop."""
    nodes = [{"id": n["id"], "kind": n["type"], "label": n["id"],
              "properties": {k: v for k, v in n.items() if k not in ("id", "type")}}
             for n in g["nodes"]]
    edges = []
    for e in g["edges"]:
        eid = e["output"] if "path" not in e else f"{e['path']}/{e['output']}"
        edges.append({"id": eid, "source": e["source"], "target": e["target"],
                      "kind": "payment", "value": e.get("value"), "time": e.get("time"),
                      "properties": {k: v for k, v in e.items()
                                     if k not in ("source", "target", "value", "time")}})
    return {"nodes": nodes, "edges": edges}
