"""A deterministic synthetic regtest chain whose ground truth is known.

Why: clustering and tracing can only be tested exactly on data whose owners are known. This
module simulates an economy (users, exchanges with deposit addresses and consolidations,
merchants, mining pools, CoinJoin coordinators, a thief) and writes what it did twice: as Bitcoin
Core `blk*.dat` files that the ordinary loader reads like any node's, and as `truth.json`,
which says who owns every address, which transactions are CoinJoins or peel chains, and which
outputs were stolen and where the stolen coins went.

Properties the tests rely on:

- Determinism: the same `(txs, seed, txs_per_block)` gives byte-identical files. Every random
  choice comes from one `random.Random(seed)`; block times are derived from heights; nothing
  iterates a set or reads the clock.
- Validity as data: each block links to the previous one, meets the regtest target, carries the
  BIP34 height and (when it has witness data) the BIP141 commitment. Every input spends an
  existing, unspent output once; coinbase outputs only after 100 blocks (maturity); values
  conserve (fee = inputs - outputs >= 0) and each coinbase claims exactly subsidy + fees.
  Scripts are not evaluated by anyone, so signatures are random bytes of the real shapes
  (DER + sighash byte, 64-byte Schnorr) and public keys random 33-byte compressed-looking keys.
- Soundness of the multi-input heuristic: outside the CoinJoins listed in the truth, all inputs
  of a transaction belong to one entity; a clustering that skips those CoinJoins can only merge
  addresses of the same owner. (The theft transaction spends the victim's addresses: the keys
  were stolen, the addresses are still the victim's.)
- Exactly `txs` transactions in total, coinbases included: block 0 is Bitcoin Core's own regtest
  genesis, blocks 1..100 hold only their coinbase (as after `generatetoaddress 101`), and the
  economy fills the rest, `txs_per_block` transactions per block (the last block takes the
  remainder).

Memory is bounded by the unspent outputs and the truth (addresses, tainted outputs), not by the
chain: blocks are written as soon as they are mined.

truth.json (outpoints are "txid:vout", hashes display hex, values satoshi):

    format         "chaintrail-sample/1"
    seed, txs, txs_per_block, network ("regtest"), magic (hex), blocks, genesis, tip, files
    entities       {id: {kind, addresses, scripts}}; kind is user, exchange, merchant, mixer
                   (CoinJoin coordinators' fee addresses), thief or miner (the pools, and
                   "satoshi" for the genesis output). `addresses` are the regtest strings the
                   chain shows (a P2PK output counts as the P2PKH address of its key, as
                   `classify_script` reports it); `scripts` the hex of address-less outputs
                   (bare multisig). Every output's address has exactly one owner.
    theft          victim_entity, thief_entity, cashout_exchange, theft_txid,
                   stolen_outputs (the victim's outputs the theft spent), stolen_value,
                   laundering_txids (theft, peel chain hops, CoinJoin, cash-out, in order),
                   peel_chain, coinjoin_txid, cashout_txid, cashout_outputs, cashout_address,
                   tainted_outputs (poison taint: every output of every transaction that
                   spends, directly or transitively, a stolen output; in chain order; the stolen
                   outputs themselves are not listed), tainted_value
    coinjoins      [{txid, kind, participants, denomination}], kind one of joinmarket,
                   wasabi1, wasabi2 (denomination 0: many), whirlpool_tx0 (one participant:
                   not collaborative) and whirlpool_mix; participants = distinct input owners
    peel_chains    [[txid, ...]]: each hop spends the previous hop's large (change) output
    counts         blocks, tx, coinbase_tx, segwit_tx, inputs (coinbase inputs included),
                   spends (inputs that spend an output), outputs, output_value, input_value,
                   fees, subsidy (genesis included), unspent_outputs and unspent_value (not
                   OP_RETURN, never spent; unspent_value == subsidy since fees go to coinbases),
                   output_script_types (classify_script's names), addresses, coinjoins,
                   coinjoins_by_kind, peel_chains, tainted_outputs
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import random
from collections import deque
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from chaintrail.errors import ConfigError
from loaders.bitcoin.address import hash160, p2pkh_address, p2sh_address, segwit_address
from loaders.bitcoin.model import COINBASE_PREV_TXID, COINBASE_PREV_VOUT, Tx, TxIn, TxOut
from loaders.bitcoin.network import REGTEST
from loaders.bitcoin.serialize import (
    REGTEST_BITS,
    build_block,
    coinbase_tx,
    make_tx,
    push_data,
    serialize_block,
)

__all__ = [
    "DEFAULT_TXS_PER_BLOCK",
    "MAX_BLOCKFILE_SIZE",
    "GenerationSummary",
    "generate_chain",
    "min_txs",
]

COIN = 100_000_000
MAX_BLOCKFILE_SIZE = 128 * 1024 * 1024
"""Bitcoin Core's MAX_BLOCKFILE_SIZE: a record that would reach it starts the next blk file."""
DEFAULT_TXS_PER_BLOCK = 200
COINBASE_MATURITY = 100
HALVING_INTERVAL = 150
"""Regtest's subsidy halving interval."""
BOOTSTRAP_BLOCKS = COINBASE_MATURITY + 1
"""Genesis plus 100 coinbase-only blocks: the first coinbase matures at height 101."""
MIN_ECONOMY_SLOTS = 250
"""Non-coinbase transactions needed so that every scripted feature fits."""
DUST = 546
BLOCK_INTERVAL_S = 600

# Bitcoin Core's regtest genesis block (identical to mainnet's except time, bits and nonce).
_GENESIS_TIME = 1296688602
_GENESIS_NONCE = 2
_GENESIS_SCRIPT_SIG = bytes.fromhex(
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e20"
    "6272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"
)
_GENESIS_PUBKEY = bytes.fromhex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e5"
    "1ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
)
_COINBASE_TAG = b"/chaintrail-sample/"

# Script kinds an entity can receive to, with the script type `classify_script` names.
P2PKH, P2WPKH, P2SH_P2WPKH, P2SH_MULTISIG, P2WSH, P2TR, P2PK, BARE_MULTISIG = range(8)
_TYPE_NAME = ("p2pkh", "p2wpkh", "p2sh", "p2sh", "p2wsh", "p2tr", "p2pk", "multisig")
_IN_VBYTES = (148, 68, 91, 297, 105, 58, 114, 82)
"""Approximate virtual size of an input spending each kind (for fees only)."""
_OUT_VBYTES = (34, 31, 32, 32, 43, 43, 44, 80)
_SEGWIT_KINDS = (P2WPKH, P2TR)
_USER_KINDS = (P2PKH, P2WPKH, P2SH_P2WPKH, P2TR, P2WSH, P2SH_MULTISIG, P2PK, BARE_MULTISIG)
_USER_KIND_WEIGHTS = (60, 17, 10, 5, 3, 3, 0.4, 0.4)
_SEQUENCES = (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD)

# Whirlpool pools: denomination -> coordinator (pool) fee, as Samourai charged them.
_WHIRLPOOL_POOLS = ((100_000, 5_000), (1_000_000, 50_000), (5_000_000, 175_000),
                    (50_000_000, 1_750_000))  # fmt: skip
_WASABI2_MIN_INPUTS = 20


def _wasabi2_denominations() -> tuple[int, ...]:
    """Wasabi 2.0's standard output amounts: 1-2-5 x 10^k, 2^k, 3^k and 2 x 3^k, >= 5000 sat."""
    found: set[int] = set()
    for k in range(40):
        for v in (2**k, 3**k, 2 * 3**k, 10**k, 2 * 10**k, 5 * 10**k):
            if 5_000 <= v <= 1_000 * COIN:
                found.add(v)
    return tuple(sorted(found, reverse=True))


_WASABI2_DENOMS = _wasabi2_denominations()


def min_txs(txs_per_block: int = DEFAULT_TXS_PER_BLOCK) -> int:
    """The smallest `txs` for which every scripted feature (theft, every CoinJoin kind, peel
    chains, ...) fits, given the block size."""
    per_block = txs_per_block - 1
    blocks = math.ceil(MIN_ECONOMY_SLOTS / per_block)
    return BOOTSTRAP_BLOCKS + MIN_ECONOMY_SLOTS + blocks


def _subsidy(height: int) -> int:
    halvings = height // HALVING_INTERVAL
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What `generate_chain` wrote."""

    out_dir: Path
    files: tuple[Path, ...]
    """The blk files, in order; `truth_path` beside them."""
    truth_path: Path
    txs: int
    seed: int
    blocks: int
    inputs: int
    outputs: int
    bytes_written: int
    entities: int
    addresses: int
    coinjoins: int
    peel_chains: int
    tainted_outputs: int
    tip: str
    counts: dict[str, Any] = field(default_factory=dict)
    """The `counts` object of truth.json."""


# --- wallet model ----------------------------------------------------------------------------


class _Purse:
    """Spendable coins of one wallet (or queue), with their running total."""

    __slots__ = ("coins", "total")

    def __init__(self) -> None:
        self.coins: list[_Coin] = []
        self.total = 0

    def add(self, coin: _Coin) -> None:
        self.coins.append(coin)
        self.total += coin.value

    def add_all(self, coins: Sequence[_Coin]) -> None:
        for c in coins:
            self.add(c)

    def pop_indices(self, indices: Sequence[int]) -> list[_Coin]:
        """Remove the coins at `indices` (distinct) by swapping with the tail: O(k)."""
        coins = self.coins
        picked = [coins[i] for i in indices]
        for i in sorted(indices, reverse=True):
            coins[i] = coins[-1]
            coins.pop()
        self.total -= sum(c.value for c in picked)
        return picked

    def take(self, rng: random.Random, target: int, max_inputs: int) -> list[_Coin] | None:
        """Random coins adding up to at least `target` (at most `max_inputs`), or None."""
        n = len(self.coins)
        if n == 0 or self.total < target:
            return None
        chosen: list[int] = []
        acc = 0
        coins = self.coins
        for i in rng.sample(range(n), min(n, max_inputs)):
            chosen.append(i)
            acc += coins[i].value
            if acc >= target:
                return self.pop_indices(chosen)
        return None

    def take_count(self, rng: random.Random, k: int) -> list[_Coin]:
        n = len(self.coins)
        return self.pop_indices(rng.sample(range(n), min(n, k)))

    def take_all(self) -> list[_Coin]:
        coins, self.coins, self.total = self.coins, [], 0
        return coins


class _Entity:
    """Someone who controls keys: a user, exchange, merchant, pool, coordinator or thief."""

    __slots__ = (
        "addresses", "busy", "deposit_addrs", "deposits", "fixed", "id", "immature", "kind",
        "pref", "purse", "reuse", "scripts",
    )  # fmt: skip

    def __init__(self, eid: str, kind: str, pref: int, *, reuse: bool = False) -> None:
        self.id = eid
        self.kind = kind
        self.pref = pref
        self.reuse = reuse
        """Receives to, and sends change back to, one address (address reuse)."""
        self.purse = _Purse()
        self.addresses: list[str] = []
        self.scripts: list[str] = []
        """Hex scripts of address-less outputs it owns (bare multisig)."""
        self.fixed: _Addr | None = None
        self.busy = False
        """Left out of random activity (the victim keeps still until robbed; the thief acts
        only in its own scripted sequence)."""
        self.deposits = _Purse()
        """Exchanges: coins on customer deposit addresses, waiting for consolidation."""
        self.deposit_addrs: dict[str, _Addr] = {}
        """Exchanges: the deposit address of each customer, by customer id (reused)."""
        self.immature: deque[tuple[int, _Coin]] = deque()
        """Pools: coinbase outputs and the height at which they mature."""


class _Addr:
    """An output script its owner can spend, with what spending it takes."""

    __slots__ = ("keys", "kind", "label", "owner", "script", "sink", "spk", "used")

    def __init__(
        self, kind: int, spk: bytes, label: str | None, keys: tuple[bytes, ...],
        script: bytes, owner: _Entity, sink: _Purse,
    ) -> None:  # fmt: skip
        self.kind = kind
        self.spk = spk
        self.label = label
        """The address string (a P2PK output's is the P2PKH of its key); None for bare
        multisig."""
        self.keys = keys
        self.script = script
        """Redeem or witness script (P2SH, P2WSH)."""
        self.owner = owner
        self.used = False
        """Whether an output pays it yet: the truth lists only addresses the chain shows."""
        self.sink = sink
        """Where coins paid to it become spendable: the owner's purse, an exchange's deposit
        queue, a Whirlpool pool's premix or postmix queue."""


class _Coin:
    __slots__ = ("addr", "tainted", "txid", "value", "vout")

    def __init__(self, txid: str, vout: int, value: int, addr: _Addr, tainted: bool) -> None:
        self.txid = txid
        self.vout = vout
        self.value = value
        self.addr = addr
        self.tainted = tainted


class _WhirlPool:
    __slots__ = ("denom", "fee", "postmix", "premix")

    def __init__(self, denom: int, fee: int) -> None:
        self.denom = denom
        self.fee = fee
        self.premix = _Purse()
        self.postmix = _Purse()


Dest = tuple[int, _Addr | bytes]
"""An output to build: (value, owned address) or (0, OP_RETURN script)."""


class _BlkWriter:
    """Writes blocks with Bitcoin Core's framing, rolling files at MAX_BLOCKFILE_SIZE."""

    def __init__(self, out_dir: Path, magic: bytes, max_size: int) -> None:
        self.out_dir = out_dir
        self.magic = magic
        self.max_size = max_size
        self.files: list[Path] = []
        self._f: BinaryIO | None = None
        self._size = 0
        self.bytes_written = 0

    def write(self, raw: bytes) -> None:
        record = self.magic + len(raw).to_bytes(4, "little") + raw
        if self._f is None or (self._size and self._size + len(record) >= self.max_size):
            self._open_next()
        assert self._f is not None
        self._f.write(record)
        self._size += len(record)
        self.bytes_written += len(record)

    def _open_next(self) -> None:
        self.close()
        path = self.out_dir / f"blk{len(self.files):05d}.dat"
        self.files.append(path)
        self._f = path.open("wb")
        self._size = 0

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


# --- the simulation --------------------------------------------------------------------------


class _Sim:
    def __init__(self, txs: int, seed: int, txs_per_block: int, writer: _BlkWriter,
                 progress: Callable[[int, int], None] | None,
                 hub_share: float = 0.0) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.hub_share = hub_share
        self.txs = txs
        self.seed = seed
        self.per_block = txs_per_block
        self.writer = writer
        self.progress = progress
        self.net = REGTEST

        econ_txs = txs - BOOTSTRAP_BLOCKS
        self.econ_blocks = math.ceil(econ_txs / txs_per_block)
        self.slots = econ_txs - self.econ_blocks
        self.slot = 0

        # chain state
        self.height = 0
        self.prev_hash = "00" * 32
        self.block_txs: list[Tx] = []
        self.block_fees = 0
        self.tip = ""
        self.genesis = ""

        # truth
        self.entities: list[_Entity] = []
        self.coinjoins: list[dict[str, Any]] = []
        self.peel_chains: list[list[str]] = []
        self.tainted: list[str] = []
        self.tainted_value = 0
        self.case: dict[str, Any] = {}
        """The theft's truth, filled in as it happens."""
        self.counts: dict[str, int] = dict.fromkeys(
            ("tx", "coinbase_tx", "inputs", "spends", "outputs", "output_value", "input_value",
             "nulldata_outputs", "fees", "subsidy", "segwit_tx"), 0)  # fmt: skip
        self.script_types: dict[str, int] = {}

        self.warmup = 0
        """Slots at the start given to big pool payouts, so that users have coins."""
        self._peel_end: list[_Coin] = []
        self._make_entities()
        self._activities = self._table()
        self._activity_total = sum(w for w, _ in self._activities)
        self.active: list[tuple[Generator[Tx | None, None, None], str]] = []
        """Running multi-transaction sequences, with their names ("" for unscripted ones,
        which may be cut off at the end)."""

        self.schedule: list[tuple[int, str, Callable[[], Generator[Tx | None, None, None]]]] = []

    # --- entities and addresses --------------------------------------------------------------

    def _entity(self, eid: str, kind: str, pref: int, *, reuse: bool = False) -> _Entity:
        e = _Entity(eid, kind, pref, reuse=reuse)
        self.entities.append(e)
        return e

    def _make_entities(self) -> None:
        rng = self.rng
        self.genesis_owner = self._entity("satoshi", "miner", P2PK)
        self.pools = [self._entity("pool-0", "miner", P2PKH),
                      self._entity("pool-1", "miner", P2WPKH)]  # fmt: skip
        for p in self.pools:
            p.fixed = self.new_addr(p, p.pref)
        deposit_kinds = (P2PKH, P2SH_P2WPKH, P2WPKH)
        hot_kinds = (P2SH_MULTISIG, P2WSH, P2WPKH)
        self.exchanges = []
        for i in range(3):
            ex = self._entity(f"exchange-{i}", "exchange", deposit_kinds[i])
            ex.fixed = self.new_addr(ex, hot_kinds[i])
            self.exchanges.append(ex)
        n_merchants = max(5, min(60, self.txs // 2000))
        self.merchants = [
            self._entity(f"merchant-{i:03d}", "merchant", rng.choice((P2WPKH, P2PKH, P2SH_P2WPKH)))
            for i in range(n_merchants)
        ]
        for m in self.merchants:
            m.fixed = self.new_addr(m, P2WSH)  # cold storage the sweeps go to
        self.wasabi = self._entity("mixer-wasabi", "mixer", P2WPKH)
        self.wasabi.fixed = self.new_addr(self.wasabi, P2WPKH)
        self.whirlpool = self._entity("mixer-whirlpool", "mixer", P2WPKH)
        self.whirlpool_fee_addrs = [self.new_addr(self.whirlpool, P2WPKH) for _ in range(4)]
        self.wpools = [_WhirlPool(d, f) for d, f in _WHIRLPOOL_POOLS]
        self.thief = self._entity("thief-0", "thief", P2WPKH)
        self.thief.busy = True
        n_users = max(60, min(6000, self.txs // 30))
        self.users = []
        for i in range(n_users):
            kind = rng.choices(_USER_KINDS, _USER_KIND_WEIGHTS)[0]
            self.users.append(self._entity(f"user-{i:05d}", "user", kind,
                                           reuse=rng.random() < 0.2))  # fmt: skip
        # An old-style P2PK and a bare-multisig receiver, and a few Wasabi-style wallets,
        # whatever the draw gave (small samples need them for the scripted features).
        self.users[1].pref = P2PK
        self.users[2].pref = BARE_MULTISIG
        natural = [u for u in self.users[3:] if u.pref == P2WPKH][:8]
        extra = [u for u in self.users[3:] if u.pref != P2WPKH][: 8 - len(natural)]
        for u in extra:
            u.pref = P2WPKH
        self.privacy_users = natural + extra
        self.victim = self.users[0]
        self.victim.pref = P2WPKH
        self.victim.busy = True
        self.cashout = self.exchanges[rng.randrange(3)]
        self.dice: _Entity | None = None
        if self.hub_share > 0:  # only then: without it the draws, and so the bytes, are as before
            self.dice = self._entity("gambling-dice", "merchant", P2PKH, reuse=True)
            self.dice.fixed = self.new_addr(self.dice, P2PKH)

    def _pubkey(self) -> bytes:
        return bytes((2 + self.rng.getrandbits(1),)) + self.rng.randbytes(32)

    def new_addr(self, owner: _Entity, kind: int, sink: _Purse | None = None) -> _Addr:
        """A fresh address of `kind` owned by `owner` (recorded in the truth once paid)."""
        net = self.net
        keys: tuple[bytes, ...]
        script = b""
        label: str | None
        if kind in (P2PKH, P2WPKH, P2SH_P2WPKH, P2PK):
            pk = self._pubkey()
            keys = (pk,)
            h = hash160(pk)
            if kind == P2PKH:
                spk = b"\x76\xa9\x14" + h + b"\x88\xac"
                label = p2pkh_address(h, net)
            elif kind == P2WPKH:
                spk = b"\x00\x14" + h
                label = segwit_address(0, h, net)
            elif kind == P2SH_P2WPKH:
                script = b"\x00\x14" + h
                sh = hash160(script)
                spk = b"\xa9\x14" + sh + b"\x87"
                label = p2sh_address(sh, net)
            else:
                spk = b"\x21" + pk + b"\xac"
                label = p2pkh_address(h, net)
        elif kind in (P2SH_MULTISIG, P2WSH):
            keys = (self._pubkey(), self._pubkey(), self._pubkey())
            script = b"\x52" + b"".join(b"\x21" + k for k in keys) + b"\x53\xae"  # 2-of-3
            if kind == P2SH_MULTISIG:
                sh = hash160(script)
                spk = b"\xa9\x14" + sh + b"\x87"
                label = p2sh_address(sh, net)
            else:
                wsh = hashlib.sha256(script).digest()
                spk = b"\x00\x20" + wsh
                label = segwit_address(0, wsh, net)
        elif kind == P2TR:
            key = self.rng.randbytes(32)
            keys = (key,)
            spk = b"\x51\x20" + key
            label = segwit_address(1, key, net)
        else:  # bare 1-of-2 multisig
            keys = (self._pubkey(), self._pubkey())
            spk = b"\x51" + b"".join(b"\x21" + k for k in keys) + b"\x52\xae"
            label = None
        return _Addr(kind, spk, label, keys, script, owner, sink or owner.purse)

    @staticmethod
    def mark_used(a: _Addr) -> None:
        a.used = True
        if a.label is None:
            a.owner.scripts.append(a.spk.hex())
        else:
            a.owner.addresses.append(a.label)

    def receive_addr(self, e: _Entity) -> _Addr:
        """Where `e` asks to be paid: its one reused address, or a fresh one."""
        if e.reuse:
            if e.fixed is None:
                e.fixed = self.new_addr(e, e.pref)
            return e.fixed
        return self.new_addr(e, e.pref)

    def deposit_addr(self, exchange: _Entity, customer: _Entity) -> _Addr:
        """The customer's own deposit address at the exchange (reused for every deposit)."""
        a = exchange.deposit_addrs.get(customer.id)
        if a is None:
            a = self.new_addr(exchange, exchange.pref, exchange.deposits)
            exchange.deposit_addrs[customer.id] = a
        return a

    def change_addr(self, e: _Entity, spent: Sequence[_Coin]) -> _Addr:
        """Change: back to an input address for reusers (and exchanges' hot wallets), else a
        fresh address, now and then of another type than the inputs (a wallet upgrade).
        P2PK and bare-multisig owners get P2PKH change, as the old wallets that made them."""
        kind = e.pref
        if kind in (P2PK, BARE_MULTISIG):
            return self.new_addr(e, P2PKH)
        if e.fixed is not None and (e.reuse or e.kind in ("exchange", "miner", "mixer")):
            return e.fixed
        if e.reuse and spent:
            return spent[0].addr
        if self.rng.random() < 0.04:
            kind = self.rng.choice((P2WPKH, P2TR, P2PKH))
        return self.new_addr(e, kind)

    def pick_user(self, min_balance: int, pred: Callable[[_Entity], bool] | None = None,
                  tries: int = 25) -> _Entity | None:  # fmt: skip
        users = self.users
        rng = self.rng
        for _ in range(tries):
            u = users[rng.randrange(len(users))]
            if not u.busy and u.purse.total >= min_balance and (pred is None or pred(u)):
                return u
        return None

    # --- building transactions ---------------------------------------------------------------

    def _sig(self) -> bytes:
        """A DER-shaped ECDSA signature with SIGHASH_ALL: 71 or 72 bytes, like real ones."""
        rb = self.rng.randbytes
        r = rb(32)
        r = b"\x00" + r if r[0] & 0x80 else bytes((r[0] | 1,)) + r[1:]
        s = rb(32)
        s = bytes(((s[0] & 0x7F) | 1,)) + s[1:]  # low S
        body = b"\x02" + bytes((len(r),)) + r + b"\x02\x20" + s
        return b"\x30" + bytes((len(body),)) + body + b"\x01"

    def _txin(self, coin: _Coin, sequence: int) -> TxIn:
        a = coin.addr
        kind = a.kind
        script_sig = b""
        witness: tuple[bytes, ...] = ()
        if kind == P2PKH:
            script_sig = push_data(self._sig()) + push_data(a.keys[0])
        elif kind == P2WPKH:
            witness = (self._sig(), a.keys[0])
        elif kind == P2SH_P2WPKH:
            script_sig = push_data(a.script)
            witness = (self._sig(), a.keys[0])
        elif kind == P2SH_MULTISIG:
            script_sig = b"\x00" + push_data(self._sig()) + push_data(self._sig()) + push_data(
                a.script
            )
        elif kind == P2WSH:
            witness = (b"", self._sig(), self._sig(), a.script)
        elif kind == P2TR:
            witness = (self.rng.randbytes(64),)
        elif kind == P2PK:
            script_sig = push_data(self._sig())
        else:
            script_sig = b"\x00" + push_data(self._sig())
        return TxIn(coin.txid, coin.vout, script_sig, sequence, witness)

    def feerate(self) -> int:
        r = self.rng.random()
        if r < 0.5:
            return self.rng.randint(1, 3)
        if r < 0.9:
            return self.rng.randint(4, 20)
        return self.rng.randint(21, 80)

    @staticmethod
    def vsize(spends: Sequence[_Coin], dests: Sequence[Dest], extra_outputs: int = 0) -> int:
        n = 11 + sum(_IN_VBYTES[c.addr.kind] for c in spends) + 34 * extra_outputs
        for _, d in dests:
            n += len(d) + 9 if isinstance(d, bytes) else _OUT_VBYTES[d.kind]
        return n

    def emit(self, spends: Sequence[_Coin], dests: Sequence[Dest],
             hold: Collection[int] = ()) -> tuple[Tx, list[_Coin | None]]:  # fmt: skip
        """Build, count and queue one transaction; outputs become spendable coins in their
        address's sink, except those at `hold` indices, which the caller keeps."""
        rng = self.rng
        sequence = _SEQUENCES[rng.randrange(4)]
        ins = [self._txin(c, sequence) for c in spends]
        in_value = sum(c.value for c in spends)
        outs = [TxOut(n, v, d if isinstance(d, bytes) else d.spk) for n, (v, d) in enumerate(dests)]
        out_value = sum(v for v, _ in dests)
        fee = in_value - out_value
        if fee < 0 or not spends:
            raise AssertionError(f"bad transaction: in {in_value} out {out_value}")
        # Core's anti-fee-sniping: a wallet that signals a sequence locks to the tip's height.
        locktime = self.height if sequence != 0xFFFFFFFF and rng.random() < 0.6 else 0
        tx = make_tx(ins, outs, version=1 if rng.random() < 0.15 else 2, locktime=locktime)
        tainted = any(c.tainted for c in spends)
        coins: list[_Coin | None] = []
        types = self.script_types
        for n, (v, d) in enumerate(dests):
            if tainted:
                self.tainted.append(f"{tx.txid}:{n}")
                self.tainted_value += v
            if isinstance(d, bytes):
                coins.append(None)
                types["nulldata"] = types.get("nulldata", 0) + 1
                self.counts["nulldata_outputs"] += 1
                continue
            name = _TYPE_NAME[d.kind]
            types[name] = types.get(name, 0) + 1
            if not d.used:
                self.mark_used(d)
            coin = _Coin(tx.txid, n, v, d, tainted)
            if n not in hold:
                d.sink.add(coin)
            coins.append(coin)
        c = self.counts
        c["tx"] += 1
        c["inputs"] += len(ins)
        c["spends"] += len(ins)
        c["input_value"] += in_value
        c["outputs"] += len(outs)
        c["output_value"] += out_value
        c["fees"] += fee
        c["segwit_tx"] += tx.has_witness
        self.block_txs.append(tx)
        self.block_fees += fee
        return tx, coins

    def pay(self, payer: _Entity, dests: list[Dest], *, coins: list[_Coin] | None = None,
            max_inputs: int = 8, rate: int | None = None,
            change: _Addr | None = None) -> Tx | None:  # fmt: skip
        """A payment by one entity: its coins in, `dests` and change out (change dropped into
        the fee when it would be dust). Returns None, touching nothing, when it cannot pay."""
        rng = self.rng
        rate = rate or self.feerate()
        want = sum(v for v, _ in dests)
        if coins is None:
            guess = want + rate * (self.vsize([], dests, 1) + 2 * _IN_VBYTES[payer.pref])
            coins = payer.purse.take(rng, guess, max_inputs)
            if coins is None:
                return None
            source: _Purse | None = payer.purse
        else:
            source = None
        total = sum(c.value for c in coins)
        fee = rate * self.vsize(coins, dests, 1)
        rest = total - want - fee
        if rest < 0:
            if source is not None:
                source.add_all(coins)
            return None
        outs = list(dests)
        if rest >= DUST:
            outs.insert(rng.randint(0, len(outs)), (rest, change or self.change_addr(payer, coins)))
        tx, _ = self.emit(coins, outs)
        return tx

    def amount(self, balance: int, lo: float, hi: float) -> int:
        """A payment amount: a share of the balance, a third of the time a round figure."""
        v = int(balance * self.rng.uniform(lo, hi))
        if self.rng.random() < 0.35 and v > 10_000:
            step = 10 ** (len(str(v)) - 2)
            v = v // step * step
        return max(v, DUST * 2)

    def op_return(self) -> bytes:
        return b"\x6a" + push_data(self.rng.randbytes(self.rng.randint(8, 80)))

    # --- single-transaction activities -------------------------------------------------------

    def pool_payout(self, recipients: int | None = None, big: bool = False) -> Tx | None:
        rng = self.rng
        pools = [p for p in self.pools if p.purse.total > COIN // 20]
        if not pools:
            return None
        pool = rng.choice(pools)
        k = recipients or rng.randint(3, 25)
        budget = pool.purse.total // (3 if big else 6)
        dests: list[Dest] = []
        for _ in range(k):
            r = rng.random()
            if r < 0.85:
                who = self.users[rng.randrange(len(self.users))]
                if who.busy:
                    continue
            elif r < 0.95:
                who = rng.choice(self.exchanges)
            else:
                who = rng.choice(self.merchants)
            hi = 5 * COIN if big else COIN
            v = min(int(math.exp(rng.uniform(math.log(50_000), math.log(hi)))), budget // k)
            if v < DUST * 4:
                continue
            addr = who.fixed if who.kind == "exchange" and who.fixed else self.receive_addr(who)
            dests.append((v, addr))
        if not dests:
            return None
        return self.pay(pool, dests, max_inputs=4, change=pool.fixed)

    def user_payment(self, to: str) -> Tx | None:
        rng = self.rng
        payer = self.pick_user(20_000)
        if payer is None:
            return None
        dest: _Addr
        if to == "merchant":
            m = rng.choice(self.merchants)
            dest = self.new_addr(m, m.pref)
        elif to == "exchange":
            dest = self.deposit_addr(rng.choice(self.exchanges), payer)
        else:
            other = self.users[rng.randrange(len(self.users))]
            if other is payer or other.busy:
                return None
            dest = self.receive_addr(other)
        if rng.random() < 0.05:  # send everything, no change
            coins = payer.purse.take_count(rng, 8)
            total = sum(c.value for c in coins)
            fee = self.feerate() * self.vsize(coins, [(0, dest)])
            if total - fee < DUST:
                payer.purse.add_all(coins)
                return None
            return self.emit(coins, [(total - fee, dest)])[0]
        dests: list[Dest] = [(self.amount(payer.purse.total, 0.02, 0.6), dest)]
        if rng.random() < 0.015:
            dests.append((0, self.op_return()))
        return self.pay(payer, dests)

    def exchange_withdrawal(self) -> Tx | None:
        rng = self.rng
        ex = rng.choice(self.exchanges)
        if ex.purse.total < COIN // 100:
            return None
        k = rng.randint(1, 20)
        # At most what six average coins hold: `pay` takes at most six inputs, and a budget
        # of a quarter of a big exchange's purse (many small deposits) could never be paid,
        # so users would drain into the exchanges until no transaction is possible.
        budget = min(ex.purse.total // 4, ex.purse.total * 6 // max(1, len(ex.purse.coins)))
        dests: list[Dest] = []
        for _ in range(k):
            u = self.users[rng.randrange(len(self.users))]
            if u.busy:
                continue
            v = self.amount(budget // k, 0.05, 1.0)
            dests.append((v, self.receive_addr(u)))
        if not dests:
            return None
        return self.pay(ex, dests, max_inputs=6, change=ex.fixed)

    def exchange_consolidation(self, min_coins: int = 8) -> Tx | None:
        rng = self.rng
        candidates = [e for e in self.exchanges if len(e.deposits.coins) >= min_coins]
        if not candidates:
            return None
        ex = rng.choice(candidates)
        coins = ex.deposits.take_count(rng, rng.randint(min_coins, 120))
        assert ex.fixed is not None
        return self.sweep(coins, ex.fixed, rng.randint(1, 4), ex.deposits)

    def sweep(self, coins: list[_Coin], dest: _Addr, rate: int, back: _Purse) -> Tx | None:
        total = sum(c.value for c in coins)
        fee = rate * self.vsize(coins, [(0, dest)])
        if total - fee < DUST:
            back.add_all(coins)
            return None
        return self.emit(coins, [(total - fee, dest)])[0]

    def merchant_sweep(self) -> Tx | None:
        rng = self.rng
        m = rng.choice(self.merchants)
        if len(m.purse.coins) < 3:
            return None
        coins = m.purse.take_count(rng, rng.randint(3, 30))
        if rng.random() < 0.5:
            assert m.fixed is not None
            dest = m.fixed
        else:
            dest = self.deposit_addr(rng.choice(self.exchanges), m)
        return self.sweep(coins, dest, rng.randint(1, 10), m.purse)

    def dice_bet(self) -> Tx | None:
        """A small bet paid to the gambling service's one address (a super node)."""
        payer = self.pick_user(20_000)
        if payer is None or self.dice is None or self.dice.fixed is None:
            return None
        return self.pay(payer, [(self.amount(payer.purse.total, 0.01, 0.1), self.dice.fixed)])

    def dice_payout(self) -> Tx | None:
        """The service pays a winner from many small bets; its change goes back to its one
        address, so the super node both receives and spends in bulk."""
        dice = self.dice
        if dice is None or len(dice.purse.coins) < 3:
            return None
        winner = self.users[self.rng.randrange(len(self.users))]
        if winner.busy:
            return None
        return self.pay(dice, [(self.amount(dice.purse.total, 0.02, 0.2),
                                self.receive_addr(winner))])

    def user_consolidation(self) -> Tx | None:
        rng = self.rng
        u = self.pick_user(10_000, lambda e: len(e.purse.coins) >= 3)
        if u is None:
            return None
        coins = u.purse.take_count(rng, rng.randint(3, 10))
        return self.sweep(coins, self.change_addr(u, coins), rng.randint(1, 5), u.purse)

    def postmix_spend(self) -> Tx | None:
        rng = self.rng
        pools = [p for p in self.wpools if p.postmix.coins]
        if not pools:
            return None
        pool = rng.choice(pools)
        (coin,) = pool.postmix.take_count(rng, 1)
        owner = coin.addr.owner
        m = rng.choice(self.merchants)
        dests: list[Dest] = [(self.amount(coin.value, 0.3, 0.9), self.new_addr(m, m.pref))]
        tx = self.pay(owner, dests, coins=[coin], change=self.new_addr(owner, P2WPKH))
        if tx is None:
            pool.postmix.add(coin)
        return tx

    # --- CoinJoins ---------------------------------------------------------------------------

    def record_coinjoin(self, tx: Tx, kind: str, participants: int, denom: int) -> None:
        self.coinjoins.append(
            {"txid": tx.txid, "kind": kind, "participants": participants, "denomination": denom}
        )

    def _participants(self, n: int, min_balance: int, pred: Callable[[_Entity], bool] | None,
                      exclude: Sequence[_Entity] = ()) -> list[_Entity]:  # fmt: skip
        found: list[_Entity] = []
        for _ in range(n * 8):
            u = self.pick_user(min_balance, pred, tries=1)
            if u is not None and u not in found and u not in exclude:
                found.append(u)
                if len(found) == n:
                    break
        return found

    def joinmarket(self, taker: _Entity | None = None, taker_coins: list[_Coin] | None = None,
                   amount: int | None = None) -> tuple[Tx, list[_Coin | None]] | None:  # fmt: skip
        """A JoinMarket-shaped CoinJoin: n equal outputs (one per participant) and a change
        output each; makers earn a small fee, the taker pays it and the mining fee.

        With `taker_coins` (the thief's), the taker's outputs are held and returned as
        (equal output, change or None)."""
        rng = self.rng
        rate = self.feerate()
        if taker is None:
            taker = self.pick_user(2_000_000, lambda e: e.pref in (P2WPKH, P2SH_P2WPKH))
            if taker is None:
                return None
        wallet = taker.pref if taker.pref in (P2WPKH, P2SH_P2WPKH) else P2WPKH
        held = taker_coins is not None
        if amount is None:
            top = taker.purse.total if taker_coins is None else sum(c.value for c in taker_coins)
            amount = int(top * rng.uniform(0.3, 0.8))
        n_makers = rng.randint(2, 7)
        makers: list[_Entity] = []
        while amount >= 500_000:
            makers = self._participants(n_makers, amount + 200_000, None, exclude=(taker,))
            if len(makers) >= 2:
                break
            amount //= 2
        if len(makers) < 2:
            return None
        taken: list[tuple[_Entity, list[_Coin]]] = []
        for m in makers:
            coins = m.purse.take(rng, amount + 100_000, 4)
            if coins is not None:
                taken.append((m, coins))
        if taker_coins is None:
            taker_coins = taker.purse.take(rng, amount + 300_000, 5)
        if len(taken) < 2 or taker_coins is None:
            for m, coins in taken:
                m.purse.add_all(coins)
            if taker_coins is not None and not held:
                taker.purse.add_all(taker_coins)
            return None
        outs: list[tuple[int, _Addr, int]] = []  # value, address, tag (1 taker eq, 2 change)
        fees_to_makers = 0
        for m, coins in taken:
            cjfee = rng.randint(0, max(1, amount // 5_000))
            fees_to_makers += cjfee
            outs.append((amount, self.new_addr(m, wallet), 0))
            ch = sum(c.value for c in coins) - amount + cjfee
            outs.append((ch, self.new_addr(m, wallet), 0))
        all_coins = [c for _, coins in taken for c in coins] + taker_coins
        mining = rate * (11 + sum(_IN_VBYTES[c.addr.kind] for c in all_coins)
                         + 32 * (len(outs) + 2))  # fmt: skip
        taker_change = sum(c.value for c in taker_coins) - amount - fees_to_makers - mining
        if taker_change < 0:
            for m, coins in taken:
                m.purse.add_all(coins)
            if not held:
                taker.purse.add_all(taker_coins)
            return None
        outs.append((amount, self.new_addr(taker, wallet), 1))
        if taker_change >= DUST:
            outs.append((taker_change, self.new_addr(taker, wallet), 2))
        rng.shuffle(outs)
        rng.shuffle(all_coins)
        hold = [i for i, o in enumerate(outs) if o[2] and held]
        tx, coins_out = self.emit(all_coins, [(v, a) for v, a, _ in outs], hold)
        self.record_coinjoin(tx, "joinmarket", len(taken) + 1, amount)
        eq = next(coins_out[i] for i, o in enumerate(outs) if o[2] == 1)
        ch_coin = next((coins_out[i] for i, o in enumerate(outs) if o[2] == 2), None)
        return tx, [eq, ch_coin]

    def wasabi1(self) -> Tx | None:
        """Wasabi 1.x: many P2WPKH inputs, equal ~0.1 BTC outputs (some at twice the level),
        a change output per participant and one coordinator fee output (a reused address)."""
        rng = self.rng
        denom = rng.randint(9_800_000, 10_300_000)
        n = rng.randint(5, max(5, min(40, len(self.users) // 15)))
        need = denom + 200_000
        parts = self._participants(n, need, lambda e: e.pref == P2WPKH)
        if len(parts) < 5:
            return None
        rate = self.feerate()
        coord_fee_each = denom * 3 * len(parts) // 100_000  # 0.003% x anonymity set
        outs: list[Dest] = []
        spends: list[_Coin] = []
        coord = 0
        for p in parts:
            coins = p.purse.take(rng, need, 3)
            if coins is None:
                continue
            total = sum(c.value for c in coins)
            levels = 2 if total >= 2 * denom + 300_000 and rng.random() < 0.3 else 1
            cost = rate * (sum(_IN_VBYTES[c.addr.kind] for c in coins) + 31 * (levels + 1) + 10)
            change = total - denom * levels - coord_fee_each * levels - cost
            if change < 0:
                p.purse.add_all(coins)
                continue
            spends.extend(coins)
            for _ in range(levels):
                outs.append((denom, self.new_addr(p, P2WPKH)))
            coord += coord_fee_each * levels
            if change >= 5_000:
                outs.append((change, self.new_addr(p, P2WPKH)))
        if len({c.addr.owner.id for c in spends}) < 5:
            for c in spends:
                c.addr.owner.purse.add(c)
            return None
        assert self.wasabi.fixed is not None
        outs.append((coord, self.wasabi.fixed))
        outs.sort(key=lambda o: -o[0])
        rng.shuffle(spends)
        tx, _ = self.emit(spends, outs)
        self.record_coinjoin(tx, "wasabi1", len({c.addr.owner.id for c in spends}), denom)
        return tx

    def wasabi2(self) -> Tx | None:
        """Wasabi 2.0: >= 20 inputs, every participant's amount broken into standard
        denominations; a coordinator fee (0.3% of inputs over 0.01 BTC)."""
        rng = self.rng
        parts = self._participants(rng.randint(8, 25), 50_000,
                                   lambda e: e.pref in _SEGWIT_KINDS)  # fmt: skip
        spends: list[_Coin] = []
        grabbed: list[tuple[_Entity, list[_Coin]]] = []
        for p in parts:
            coins = p.purse.take_count(rng, rng.randint(1, 4))
            if sum(c.value for c in coins) < 50_000:
                p.purse.add_all(coins)
                continue
            grabbed.append((p, coins))
            spends.extend(coins)
        if len(spends) < _WASABI2_MIN_INPUTS or len(grabbed) < 5:
            for p, coins in grabbed:
                p.purse.add_all(coins)
            return None
        rate = self.feerate()
        outs: list[Dest] = []
        coord = 0
        for p, coins in grabbed:
            total = sum(c.value for c in coins)
            fee_in = sum(c.value * 3 // 1000 for c in coins if c.value > 1_000_000)
            coord += fee_in
            left = total - fee_in - rate * (sum(_IN_VBYTES[c.addr.kind] for c in coins) + 10)
            mine: list[int] = []
            for d in _WASABI2_DENOMS:
                while left >= d + rate * 43 and len(mine) < 8:
                    mine.append(d)
                    left -= d + rate * 43
                    if rng.random() < 0.5:
                        break
            if left >= 20_000 and len(mine) < 9:  # leftover as a change output
                mine.append(left - rate * 43)
            for v in mine:
                outs.append((v, self.new_addr(p, p.pref if p.pref in _SEGWIT_KINDS else P2WPKH)))
            # anything left is paid to the miners
        if coord >= DUST:
            assert self.wasabi.fixed is not None
            outs.append((coord, self.wasabi.fixed))
        if sum(v for v, _ in outs) > sum(c.value for c in spends):
            raise AssertionError("wasabi2 overspends")
        outs.sort(key=lambda o: -o[0])
        rng.shuffle(spends)
        tx, _ = self.emit(spends, outs)
        self.record_coinjoin(tx, "wasabi2", len(grabbed), 0)
        return tx

    def whirlpool_tx0(self, pool: _WhirlPool | None = None,
                      user: _Entity | None = None) -> Tx | None:  # fmt: skip
        """Whirlpool tx0: a pool fee to the coordinator, an OP_RETURN, premix outputs of
        denomination + mining allowance (queued in the pool) and the user's change."""
        rng = self.rng
        if pool is None:
            pool = rng.choice(self.wpools[:3])
        extra = rng.randint(150, 2_000)
        premix = pool.denom + extra
        u = user or self.pick_user(pool.fee + premix * 2 + 100_000)
        if u is None:
            return None
        rate = self.feerate()
        affordable = (u.purse.total - pool.fee - 100_000) // premix
        k = min(rng.randint(1, 10), affordable)
        if k < 1:
            return None
        coins = u.purse.take(rng, pool.fee + k * premix + 60_000, 6)
        if coins is None:
            return None
        dests: list[Dest] = [(pool.fee, rng.choice(self.whirlpool_fee_addrs)),
                             (0, b"\x6a" + push_data(rng.randbytes(46)))]  # fmt: skip
        dests += [(premix, self.new_addr(u, P2WPKH, pool.premix)) for _ in range(k)]
        tx = self.pay(u, dests, coins=coins, rate=rate, change=self.new_addr(u, P2WPKH))
        if tx is None:
            u.purse.add_all(coins)
            return None
        self.record_coinjoin(tx, "whirlpool_tx0", 1, pool.denom)
        return tx

    def whirlpool_mix(self, pool: _WhirlPool | None = None) -> Tx | None:
        """Whirlpool mix: exactly 5 inputs of 5 owners (fresh premix paying the mining fee,
        the rest remixing postmix for free) and 5 outputs of exactly the denomination."""
        rng = self.rng
        if pool is None:
            pools = [p for p in self.wpools if p.premix.coins]
            if not pools:
                return None
            pool = rng.choice(pools)
        owners: list[str] = []
        picks: dict[int, list[int]] = {0: [], 1: []}
        queues = (pool.premix, pool.postmix)
        want_premix = rng.randint(1, 5)

        def gather(q: int, limit: int) -> None:
            coins = queues[q].coins
            for i in rng.sample(range(len(coins)), min(len(coins), 60)):
                if len(picks[0]) + len(picks[1]) >= limit:
                    return
                oid = coins[i].addr.owner.id
                if oid not in owners and i not in picks[q]:
                    owners.append(oid)
                    picks[q].append(i)

        gather(0, want_premix)
        if not picks[0]:
            return None
        gather(1, 5)
        gather(0, 5)
        if len(owners) < 5:
            return None
        spends = queues[0].pop_indices(picks[0]) + queues[1].pop_indices(picks[1])
        rng.shuffle(spends)
        outs: list[Dest] = [(pool.denom, self.new_addr(c.addr.owner, P2WPKH, pool.postmix))
                            for c in spends]  # fmt: skip
        rng.shuffle(outs)
        tx, _ = self.emit(spends, outs)
        self.record_coinjoin(tx, "whirlpool_mix", 5, pool.denom)
        return tx

    # --- sequences ---------------------------------------------------------------------------

    def peel_chain(self, owner: _Entity | None = None, start: list[_Coin] | None = None,
                   hops: int | None = None, record: list[str] | None = None,
                   peel_to_self: float = 0.0) -> Generator[Tx | None, None, None]:  # fmt: skip
        """A peeling chain: each hop pays a small share out and sends the large rest, in one
        fresh change output, to the next hop. Yields one transaction per hop."""
        rng = self.rng
        if owner is None:
            if rng.random() < 0.4:
                owner = rng.choice(self.exchanges)
            else:
                owner = self.pick_user(COIN // 2)
                if owner is None:
                    return
        if start is None:
            got = owner.purse.take(rng, COIN // 2 if owner.kind == "user" else 2 * COIN, 6)
            if got is None:
                return
            start = got
        chain: list[str] = [] if record is None else record
        hops = hops or rng.randint(5, 12)
        cur: list[_Coin] = start
        kind = owner.pref if owner.kind != "exchange" or owner.fixed is None else owner.fixed.kind
        try:
            for _ in range(hops):
                value = sum(c.value for c in cur)
                peel = self.amount(value, 0.02, 0.1)
                r = rng.random()
                dest: _Addr | None
                if r < peel_to_self:
                    dest = self.new_addr(owner, owner.pref)
                elif r < 0.45 + peel_to_self / 2:
                    who = rng.choice(self.exchanges)
                    dest = self.deposit_addr(who, owner) if who is not owner else who.fixed
                elif r < 0.75:
                    m = rng.choice(self.merchants)
                    dest = self.new_addr(m, m.pref)
                else:
                    dest = self.receive_addr(self.users[rng.randrange(1, len(self.users))])
                assert dest is not None
                change_addr = self.new_addr(owner, kind)
                dests: list[Dest] = [(peel, dest), (0, change_addr)]
                fee = self.feerate() * self.vsize(cur, dests)
                rest = value - peel - fee
                if rest < 100_000:
                    break
                dests[1] = (rest, change_addr)
                if rng.random() < 0.5:
                    dests.reverse()
                tx, coins = self.emit(cur, dests, hold=(dests.index((rest, change_addr)),))
                chain.append(tx.txid)
                cur = [next(c for c in coins if c is not None and c.addr is change_addr)]
                yield tx
        finally:
            if record is None and len(chain) >= 3:
                self.peel_chains.append(chain)
            if record is None:
                owner.purse.add_all(cur)
            else:
                self._peel_end = cur

    def whirlpool_start(self) -> Generator[Tx | None, None, None]:
        """Five users enter one pool (tx0 each), then mixes run until they are in."""
        pool = self.wpools[1]
        done: list[str] = []
        while len(done) < 5:
            u = self.pick_user(pool.fee + 3 * pool.denom, lambda e: e.id not in done, tries=50)
            tx = None if u is None else self.whirlpool_tx0(pool, u)
            if tx is None or u is None:
                yield None
                continue
            done.append(u.id)
            yield tx
        while True:
            tx = self.whirlpool_mix(pool)
            if tx is not None:
                yield tx
                return
            yield None

    def theft(self) -> Generator[Tx | None, None, None]:
        """The case: the victim's coins swept to the thief, peeled, CoinJoined and cashed out
        at an exchange deposit address."""
        rng = self.rng
        victim, thief = self.victim, self.thief
        stolen = victim.purse.take_all()
        for c in stolen:
            c.tainted = True
        total = sum(c.value for c in stolen)
        to = self.new_addr(thief, P2WPKH)
        fee = self.feerate() * self.vsize(stolen, [(0, to)])
        theft_tx, coins = self.emit(stolen, [(total - fee, to)], hold=(0,))
        laundering = [theft_tx.txid]
        self.case.update(
            victim_entity=victim.id, thief_entity=thief.id, theft_txid=theft_tx.txid,
            stolen_outputs=[f"{c.txid}:{c.vout}" for c in stolen], stolen_value=total,
            laundering_txids=laundering,
        )  # fmt: skip
        yield theft_tx
        first = coins[0]
        assert first is not None
        chain: list[str] = []
        yield from self.peel_chain(thief, [first], rng.randint(5, 8), chain, peel_to_self=0.35)
        laundering.extend(chain)
        self.peel_chains.append(chain)
        self.case["peel_chain"] = chain
        rest = self._peel_end
        while True:
            res = self.joinmarket(thief, rest)
            if res is not None:
                break
            yield None
        cj_tx, (eq, change) = res
        laundering.append(cj_tx.txid)
        self.case["coinjoin_txid"] = cj_tx.txid
        yield cj_tx
        cash = [c for c in (eq, change) if c is not None]
        dest = self.deposit_addr(self.cashout, thief)
        fee = self.feerate() * self.vsize(cash, [(0, dest)])
        tx, _ = self.emit(cash, [(sum(c.value for c in cash) - fee, dest)])
        laundering.append(tx.txid)
        self.case.update(cashout_exchange=self.cashout.id, cashout_txid=tx.txid,
                          cashout_outputs=[f"{tx.txid}:0"], cashout_address=dest.label)  # fmt: skip
        yield tx

    def funding(self) -> Tx | None:
        """The victim's savings: several outputs from a pool, long before the theft."""
        pool = max(self.pools, key=lambda p: p.purse.total)
        dests: list[Dest] = [
            (self.rng.randint(1 * COIN, 4 * COIN), self.new_addr(self.victim, P2WPKH))
            for _ in range(self.rng.randint(3, 5))
        ]
        return self.pay(pool, dests, max_inputs=6, change=pool.fixed)

    def privacy_funding(self) -> Tx | None:
        """A payout to the Wasabi-style wallets, enough for a 0.1 BTC round or two."""
        pool = max(self.pools, key=lambda p: p.purse.total)
        dests: list[Dest] = [(self.rng.randint(COIN // 5, COIN), self.receive_addr(u))
                             for u in self.privacy_users]  # fmt: skip
        return self.pay(pool, dests, max_inputs=6, change=pool.fixed)

    def special_outputs(self) -> Tx | None:
        """A payout that reaches the P2PK and bare-multisig users and carries an OP_RETURN."""
        pool = max(self.pools, key=lambda p: p.purse.total)
        dests: list[Dest] = [(self.rng.randint(COIN // 10, COIN), self.receive_addr(u))
                             for u in self.users[1:3]]  # fmt: skip
        dests.append((0, self.op_return()))
        return self.pay(pool, dests, max_inputs=4, change=pool.fixed)

    # --- the driver --------------------------------------------------------------------------

    def _once(self, fn: Callable[[], Tx | None]) -> Generator[Tx | None, None, None]:
        while True:
            tx = fn()
            yield tx
            if tx is not None:
                return

    def plan(self) -> None:
        """Scripted features at fixed shares of the run, so that every run, however short,
        has all of them; random activity adds more of each kind on longer runs."""
        s = self.slots
        at: list[tuple[float, str, Callable[[], Generator[Tx | None, None, None]]]] = [
            (0.0, "funding", lambda: self._once(self.funding)),
            (0.01, "special", lambda: self._once(self.special_outputs)),
            (0.02, "privacy", lambda: self._once(self.privacy_funding)),
            (0.10, "whirlpool", self.whirlpool_start),
            (0.16, "joinmarket", lambda: self._once(lambda: self._jm_tx())),
            (0.20, "wasabi1", lambda: self._once(self.wasabi1)),
            (0.24, "wasabi2", lambda: self._once(self.wasabi2)),
            (0.28, "peel", self._scripted_peel),
            (0.32, "consolidation", lambda: self._once(lambda: self.exchange_consolidation(3))),
            (0.55, "theft", self.theft),
        ]
        self.schedule = [(int(f * s), name, fn) for f, name, fn in at]
        self.warmup = min(max(6, s // 25), 40)

    def _scripted_peel(self) -> Generator[Tx | None, None, None]:
        """A peel chain of 6-10 hops, waiting (yielding None) until someone can start one."""
        while True:
            gen = self.peel_chain(hops=self.rng.randint(6, 10))
            first = next(gen, None)
            if first is not None:
                yield first
                yield from gen
                return
            yield None

    def _jm_tx(self) -> Tx | None:
        res = self.joinmarket()
        return None if res is None else res[0]

    def random_activity(self) -> Tx | None:
        """One transaction of a kind drawn by weight (per cent of the economy's slots)."""
        r = self.rng.random() * self._activity_total
        for weight, act in self._activities:
            r -= weight
            if r < 0:
                return act()
        return self.user_payment("merchant")

    def _start_peel_chain(self) -> Tx | None:
        gen = self.peel_chain()
        tx = next(gen, None)
        if tx is not None:
            self.active.append((gen, ""))
        return tx

    def _table(self) -> list[tuple[float, Callable[[], Tx | None]]]:
        return [
            (32, lambda: self.user_payment("merchant")),
            (17, lambda: self.user_payment("user")),
            (15, lambda: self.user_payment("exchange")),
            (9, self.exchange_withdrawal),
            (4, self.exchange_consolidation),
            (3, self.merchant_sweep),
            (6, self.pool_payout),
            (3, self.user_consolidation),
            (2.5, self.postmix_spend),
            (0.8, self._jm_tx),
            (0.12, self.wasabi1),
            (0.12, self.wasabi2),
            (0.8, self.whirlpool_tx0),
            (1.8, self.whirlpool_mix),
            (0.6, self._start_peel_chain),
            # A gambling service with one reused address (as SatoshiDice's in 2012): bets are
            # `hub_share` of the draws, payouts half as many. Absent unless asked for.
            *([(100 * self.hub_share, self.dice_bet), (50 * self.hub_share, self.dice_payout)]
              if self.hub_share > 0 else []),
        ]

    def fill_slot(self) -> None:
        """Produce exactly one transaction for the current slot."""
        rng = self.rng
        if self.schedule and self.schedule[0][0] <= self.slot:
            _, name, make = self.schedule.pop(0)
            self.active.append((make(), name))
        for _ in range(200):
            tx: Tx | None = None
            must = [i for i, (_, m) in enumerate(self.active) if m]
            if self.active and ((must and rng.random() < 0.5) or rng.random() < 0.3):
                idx = rng.choice(must) if must and rng.random() < 0.8 else rng.randrange(
                    len(self.active))
                gen, _name = self.active[idx]
                try:
                    tx = next(gen)
                except StopIteration:
                    self.active.pop(idx)
                    continue
            else:
                if self.slot < self.warmup:
                    tx = self.pool_payout(rng.randint(20, 50), big=True)
                if tx is None:
                    tx = self.random_activity()
            if tx is not None:
                self.slot += 1
                return
        raise AssertionError(f"no transaction possible at slot {self.slot}")

    def run(self) -> None:
        self.plan()
        self.write_genesis()
        for _ in range(1, BOOTSTRAP_BLOCKS):
            self.finish_block()
        left = self.txs - BOOTSTRAP_BLOCKS
        while left > 0:
            in_block = min(self.per_block, left)
            self.mature()
            for _ in range(in_block - 1):
                self.fill_slot()
            self.finish_block()
            left -= in_block
        for gen, _name in self.active:
            gen.close()
        missing = self.missing_features()
        if missing:
            raise AssertionError(f"scripted features did not complete: {missing}")

    def missing_features(self) -> list[str]:
        """What a sample must show and this one does not (empty when all is there)."""
        missing = [f"coinjoin {k}" for k in
                   ("joinmarket", "wasabi1", "wasabi2", "whirlpool_tx0", "whirlpool_mix")
                   if k not in self._by_kind()]  # fmt: skip
        if not any(len(p) >= 5 for p in self.peel_chains):
            missing.append("peel chain")
        if "cashout_txid" not in self.case:
            missing.append("theft")
        missing += [t for t in ("p2pk", "multisig", "nulldata") if t not in self.script_types]
        return missing

    def mature(self) -> None:
        for p in self.pools:
            while p.immature and p.immature[0][0] <= self.height + 1:  # the block being built
                p.purse.add(p.immature.popleft()[1])

    def write_genesis(self) -> None:
        owner = self.genesis_owner
        spk = b"\x41" + _GENESIS_PUBKEY + b"\xac"
        owner.addresses.append(p2pkh_address(hash160(_GENESIS_PUBKEY), self.net))
        cb = make_tx(
            [TxIn(COINBASE_PREV_TXID, COINBASE_PREV_VOUT, _GENESIS_SCRIPT_SIG, 0xFFFFFFFF)],
            [TxOut(0, 50 * COIN, spk)],
            version=1,
        )
        block = build_block(self.prev_hash, [cb], time=_GENESIS_TIME, bits=REGTEST_BITS,
                            version=1, first_nonce=_GENESIS_NONCE, max_tries=1)  # fmt: skip
        if block.hash != self.net.genesis_hash:
            raise AssertionError(f"genesis {block.hash} is not regtest's")
        self.genesis = block.hash
        self.script_types["p2pk"] = 1
        self._write(block.hash, cb, serialize_block(block), 50 * COIN, 1)

    def finish_block(self) -> None:
        """Coinbase (subsidy + fees, BIP34 height, witness commitment when needed), mine,
        write; the coinbase output matures 100 blocks later."""
        self.height += 1
        h = self.height
        rng = self.rng
        pool = self.pools[0] if rng.random() < 0.6 else self.pools[1]
        assert pool.fixed is not None
        value = _subsidy(h) + self.block_fees
        txs = self.block_txs
        wtxids = [t.wtxid for t in txs] if any(t.has_witness for t in txs) else None
        cb = coinbase_tx(h, [(value, pool.fixed.spk)], witness_wtxids=wtxids, tag=_COINBASE_TAG)
        block = build_block(self.prev_hash, [cb, *txs], time=_GENESIS_TIME + BLOCK_INTERVAL_S * h)
        pool.immature.append((h + COINBASE_MATURITY, _Coin(cb.txid, 0, value, pool.fixed, False)))
        name = _TYPE_NAME[pool.fixed.kind]
        self.script_types[name] = self.script_types.get(name, 0) + 1
        if not pool.fixed.used:
            self.mark_used(pool.fixed)
        if wtxids is not None:
            self.script_types["nulldata"] = self.script_types.get("nulldata", 0) + 1
            self.counts["nulldata_outputs"] += 1
        self.counts["subsidy"] += _subsidy(h)
        self._write(block.hash, cb, serialize_block(block), value, len(txs) + 1)
        self.block_txs = []
        self.block_fees = 0

    def _write(self, block_hash: str, cb: Tx, raw: bytes, cb_value: int, n_txs: int) -> None:
        self.writer.write(raw)
        c = self.counts
        c["tx"] += 1
        c["coinbase_tx"] += 1
        c["inputs"] += 1
        c["outputs"] += len(cb.outputs)
        c["output_value"] += cb_value
        c["segwit_tx"] += cb.has_witness
        self.prev_hash = self.tip = block_hash
        if self.progress is not None:
            self.progress(1, n_txs)

    # --- truth -------------------------------------------------------------------------------

    def truth(self) -> dict[str, Any]:
        c = self.counts
        unspendable = c["nulldata_outputs"]
        counts: dict[str, Any] = {
            "blocks": self.height + 1,
            "tx": c["tx"],
            "coinbase_tx": c["coinbase_tx"],
            "segwit_tx": c["segwit_tx"],
            "inputs": c["inputs"],
            "spends": c["spends"],
            "outputs": c["outputs"],
            "output_value": c["output_value"],
            "input_value": c["input_value"],
            "fees": c["fees"],
            "subsidy": c["subsidy"] + 50 * COIN,
            "unspent_outputs": c["outputs"] - unspendable - c["spends"],
            "unspent_value": c["output_value"] - c["input_value"],
            "output_script_types": dict(sorted(self.script_types.items())),
            "addresses": sum(len(e.addresses) for e in self.entities),
            "coinjoins": len(self.coinjoins),
            "coinjoins_by_kind": self._by_kind(),
            "peel_chains": len(self.peel_chains),
            "tainted_outputs": len(self.tainted),
        }
        theft = dict(self.case)
        theft["tainted_outputs"] = self.tainted
        theft["tainted_value"] = self.tainted_value
        return {
            "format": "chaintrail-sample/1",
            "seed": self.seed,
            "txs": self.txs,
            "txs_per_block": self.per_block,
            "network": "regtest",
            "magic": self.net.magic.hex(),
            "blocks": self.height + 1,
            "genesis": self.genesis,
            "tip": self.tip,
            "files": [p.name for p in self.writer.files],
            "entities": {
                e.id: {"kind": e.kind, "addresses": e.addresses, "scripts": e.scripts}
                for e in self.entities
            },
            "theft": theft,
            "coinjoins": self.coinjoins,
            "peel_chains": self.peel_chains,
            "counts": counts,
        }

    def _by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for cj in self.coinjoins:
            out[cj["kind"]] = out.get(cj["kind"], 0) + 1
        return dict(sorted(out.items()))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused, then restored as it was.

    The simulation keeps about a million long-lived objects (coins, addresses) and makes
    almost no cyclic garbage, so the collector's repeated full scans only cost time: half of
    a 200,000-transaction run. Reference counting still frees everything spent.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def generate_chain(
    out_dir: Path,
    *,
    txs: int,
    seed: int,
    txs_per_block: int = DEFAULT_TXS_PER_BLOCK,
    max_file_size: int = MAX_BLOCKFILE_SIZE,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    hub_share: float = 0.0,
) -> GenerationSummary:
    """Write a sample regtest chain of exactly `txs` transactions to `out_dir`.

    Writes `blk00000.dat`, `blk00001.dat`, ... (Core framing, regtest magic, a new file before
    `max_file_size` would be reached) and `truth.json`. `progress(blocks, txs)` is called after
    each block. Existing sample files in `out_dir` are an error unless `overwrite`.
    Deterministic: the same arguments give byte-identical files. `hub_share` > 0 adds a
    gambling service whose one address takes that share of the draws as bets (plus half as
    many payouts): a super node (0.12 on 1,000,000 transactions: over 100,000 outputs).
    """
    if not 0 <= hub_share < 1:
        raise ConfigError(f"hub_share must be at least 0 and below 1, not {hub_share}")
    if txs_per_block < 2:
        raise ConfigError(f"txs_per_block must be at least 2 (a coinbase and one more), "
                          f"not {txs_per_block}")  # fmt: skip
    need = min_txs(txs_per_block)
    if txs < need:
        raise ConfigError(f"a sample needs at least {need} transactions with {txs_per_block} "
                          f"per block (101 bootstrap blocks + room for every feature), "
                          f"not {txs}")  # fmt: skip
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = sorted(out_dir.glob("blk[0-9][0-9][0-9][0-9][0-9].dat"))
    truth_path = out_dir / "truth.json"
    if truth_path.exists():
        old.append(truth_path)
    if old:
        if not overwrite:
            raise ConfigError(f"{out_dir} already holds a sample ({old[0].name}, ...); "
                              f"choose an empty directory or overwrite it")  # fmt: skip
        for p in old:
            p.unlink()
    writer = _BlkWriter(out_dir, REGTEST.magic, max_file_size)
    sim = _Sim(txs, seed, txs_per_block, writer, progress, hub_share)
    try:
        with _gc_paused():
            sim.run()
    finally:
        writer.close()
    truth = sim.truth()
    with truth_path.open("w", encoding="utf-8") as f:
        json.dump(truth, f, separators=(",", ":"))
        f.write("\n")
    counts = truth["counts"]
    return GenerationSummary(
        out_dir=out_dir,
        files=tuple(writer.files),
        truth_path=truth_path,
        txs=txs,
        seed=seed,
        blocks=truth["blocks"],
        inputs=counts["inputs"],
        outputs=counts["outputs"],
        bytes_written=writer.bytes_written,
        entities=len(truth["entities"]),
        addresses=counts["addresses"],
        coinjoins=counts["coinjoins"],
        peel_chains=counts["peel_chains"],
        tainted_outputs=counts["tainted_outputs"],
        tip=sim.tip,
        counts=counts,
    )
