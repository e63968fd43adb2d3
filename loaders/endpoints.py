"""What a user names as a trace's start, a path's ends, taint sources or an exposure target,
checked before any query, the same way for the CLI and the API: a mistyped address (a bad
checksum, an address of another chain) is an `AddressError` (the API's `InvalidAddress`), what
is no address, txid or output at all a `ParameterError`; only a well-formed one that is not
loaded is left to the query (`NotFound`).

Here, beside the address codecs it uses, because `analysis` (which knows the kinds of start)
sits below the loaders and cannot import them.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.accounts import eth_kind, infer_chain
from analysis.exposure import parse_target
from analysis.taint import source_kind
from analysis.trace import Endpoint, start_kind
from chaintrail.errors import ParameterError
from loaders.bitcoin.address import decode_address
from loaders.ethereum.address import check_address


def check_start(text: str, chain: str | None, what: str = "start") -> str:
    """A trace start (an address, a txid or 'txid:vout'; Ethereum: an account, a transaction
    hash or a transfer id). Returns the chain: the one asked for, else inferred."""
    c = infer_chain(text, chain)
    if c == "ethereum":
        kind, _ = eth_kind(text, what)
        if kind == "address":
            check_address(text)  # EIP-55, for a mixed-case account
    elif start_kind(text) == "address":
        decode_address(text)
    return c


def _no_clusters_on_ethereum(text: str, what: str) -> None:
    if text.startswith("cluster:"):
        raise ParameterError(f"there are no clusters on Ethereum: {what}")


def check_path_ends(source: str, target: str, chain: str | None) -> str:
    """A path's ends: addresses or 'cluster:<id>' (Ethereum: accounts). Returns the chain."""
    c = infer_chain(source, chain)
    for end in (source, target):
        if c == "ethereum":
            _no_clusters_on_ethereum(end, "a path runs between two accounts")
            check_start(end, c, "end")
        else:  # an address or 'cluster:<id>' (ParameterError otherwise), then its checksum
            decode_address(Endpoint.parse(end).value)
    return c


def check_sources(sources: Sequence[str], chain: str | None) -> str:
    """Taint sources: outputs, txids, addresses or clusters (Ethereum: transfers,
    transactions or accounts). Returns the chain, inferred from the first."""
    c = infer_chain(sources[0] if sources else "", chain)
    for s in sources:
        if c == "ethereum":
            check_start(s, c, "source")
            continue
        kind, key = source_kind(s)
        if kind in ("address", "cluster"):
            decode_address(key)
    return c


def check_target(target: str, chain: str | None) -> str:
    """An exposure target: an address or 'cluster:<id>' (Ethereum: an account). Returns the
    chain."""
    c = infer_chain(target.removeprefix("cluster:"), chain)
    if c == "ethereum":
        _no_clusters_on_ethereum(target, "the target is an account")
        check_start(target, c, "target")
    else:
        decode_address(parse_target(target).id)
    return c
