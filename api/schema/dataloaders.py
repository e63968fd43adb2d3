"""Per-request DataLoaders: N addresses with their clusters and tags cost one stored query,
whatever N is: batch/addresses returns each address with its cluster and tags, and primes the
cluster and tags loaders with them (those run their own queries only for an address that came
from elsewhere, e.g. a tag's address). Bitcoin addresses and Ethereum accounts (lower-case
keys) have their own loaders (`chain` of batch/addresses and batch/tags)."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader

from cypher.runner import AsyncGraph


class Loaders:
    def __init__(self, graph: AsyncGraph) -> None:
        self.address = DataLoader(self._addresses)
        self.cluster = DataLoader(self._clusters)
        self.tags = DataLoader(self._tags)
        self.account = DataLoader(self._accounts)
        self.account_tags = DataLoader(self._account_tags)
        self.graph = graph

    async def _by_address(self, name: str, keys: list[str],
                          **params: Any) -> dict[str, dict[str, Any]]:
        rows = await self.graph.read(name, {"addresses": list(dict.fromkeys(keys)), **params})
        return {r["address"]: r for r in rows}

    async def _accounts(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/addresses", keys, chain="ethereum")
        for k, row in found.items():
            self.account_tags.prime(k, row["tags"])
        return [found.get(k) for k in keys]

    async def _account_tags(self, keys: list[str]) -> list[list[dict[str, Any]]]:
        found = await self._by_address("batch/tags", keys, chain="ethereum")
        return [found[k]["tags"] if k in found else [] for k in keys]

    async def _addresses(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/addresses", keys)
        for k, row in found.items():
            self.cluster.prime(k, {"address": k, "cluster_id": row["cluster_id"],
                                   "size": row["cluster_size"]})
            self.tags.prime(k, row["tags"])
        return [found.get(k) for k in keys]

    async def _clusters(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/clusters", keys)
        return [found.get(k) for k in keys]

    async def _tags(self, keys: list[str]) -> list[list[dict[str, Any]]]:
        found = await self._by_address("batch/tags", keys)
        return [found[k]["tags"] if k in found else [] for k in keys]
