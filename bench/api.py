"""Benchmark: the GraphQL API under concurrent clients, against the direct driver.

On a generated chain (loaded and clustered in the benchmark's own Neo4j instance, with the
addresses of its exchanges, merchants, miners and mixers tagged by their kind), a real
`chaintrail serve` (uvicorn), with one server process and then with one per core, answers
`address(...) { ... cluster { id size } tags {...} }` for random known addresses from N
concurrent clients on loopback for S seconds. Prints
requests/s, p50 and p95 latency and the error count (an error is anything but HTTP 200 with an
`Address` carrying its cluster: GraphQL reports errors with status 200, so every body is
checked), then the reference: the same lookups done directly with the async driver, the
stored query the API's DataLoader runs (`batch/addresses`: the address with its cluster and
tags, one round trip), from as many concurrent tasks, and the ratio API / direct at p50.

    .venv/bin/python bench/api.py [--txs 100000] [--seed 1] [--seconds 30] [--clients 32]
                                  [--warmup 15] [--workers 1,2] [--client wrk|httpx]
                                  [--workdir DIR]

The clients are a second process: `wrk` (C, from Debian: `make bench-tools`) with a Lua script
that checks every body as the Python side does, or, with `--client httpx` (the fallback when
wrk is missing), an asyncio driver on httpx, which needs about as much CPU as the server. It
shares the 2 cores with the server and Neo4j, so its own CPU time is printed beside theirs.
Targets (issue 5) on 2 cores: >= 500 requests/s, p95 < 100 ms, 0 errors, API p50 at most 2x
the direct driver's. Record in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench.common import (  # noqa: E402
    CLI,
    bench_instance,
    chain_parser,
    free_port,
    machine,
    run_measured,
)
from db.instance import running_pid  # noqa: E402

QUERY = """query($a: String!) { address(address: $a) { __typename
  ... on Address { address received sent balance cluster { id size }
                   tags { label category confidence } } } }"""
TAGGED_KINDS = ("exchange", "merchant", "miner", "mixer")
SAMPLE = 5000
WARMUP_S = 2.0


# --- the client process ------------------------------------------------------------------------


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def hammer(lookup: Callable[[str], Awaitable[bool]], addresses: list[str], clients: int,
                 seconds: float, seed: int) -> dict[str, Any]:
    """`clients` tasks each looking up random addresses back to back for `seconds` (after a
    warm-up that is not counted): latencies in ms and the error count."""
    latencies: list[float] = []
    errors: list[str] = []
    counting = False

    async def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        while not stop.is_set():
            a = rng.choice(addresses)
            t0 = time.perf_counter()
            try:
                ok = await lookup(a)
                why = "" if ok else f"{a}: not an Address with a cluster"
            except Exception as e:  # counted and shown, never hidden
                why = f"{a}: {type(e).__name__}: {e}"
            if counting:
                latencies.append((time.perf_counter() - t0) * 1000)
                if why:
                    errors.append(why)

    stop = asyncio.Event()
    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    await asyncio.sleep(WARMUP_S)
    counting = True
    t0 = time.perf_counter()
    await asyncio.sleep(seconds)
    counting = False
    elapsed = time.perf_counter() - t0
    stop.set()
    await asyncio.gather(*tasks)
    return {"requests": len(latencies), "seconds": elapsed, "errors": len(errors),
            "error_examples": errors[:5], "p50": pct(latencies, 50), "p95": pct(latencies, 95)}


async def drive_api(args: argparse.Namespace, addresses: list[str]) -> dict[str, Any]:
    key = Path(args.key_file).read_text().strip() if args.key_file else ""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=args.url, headers=headers, limits=limits,
                                 timeout=30) as http:

        async def lookup(a: str) -> bool:
            r = await http.post("/graphql", json={"query": QUERY, "variables": {"a": a}})
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
            body = r.json()
            if body.get("errors"):
                raise RuntimeError(f"GraphQL errors: {body['errors']}")
            got = body["data"]["address"]
            return bool(got["__typename"] == "Address" and got["cluster"]
                        and got["address"] == a)

        return await hammer(lookup, addresses, args.clients, args.seconds, args.seed)


async def drive_direct(args: argparse.Namespace, addresses: list[str]) -> dict[str, Any]:
    from chaintrail.settings import Settings
    from cypher.registry import Registry
    from cypher.runner import AsyncGraph
    from db.driver import open_async_driver

    settings = Settings()
    driver = await open_async_driver(settings)
    graph = AsyncGraph(driver, Registry.load(), database=settings.neo4j_database,
                       timeout_s=settings.transaction_timeout_s)
    try:

        async def lookup(a: str) -> bool:
            # what the DataLoader runs for one address: batch/addresses gives the address
            # with its cluster and tags in one round trip
            rows = await graph.read("batch/addresses", {"addresses": [a]})
            return bool(rows and rows[0]["address"] == a and rows[0]["cluster_id"])

        return await hammer(lookup, addresses, args.clients, args.seconds, args.seed)
    finally:
        await driver.close()


def drive(args: argparse.Namespace) -> None:
    addresses = json.loads(Path(args.addresses_file).read_text())
    run = drive_api if args.drive == "api" else drive_direct
    print(json.dumps(asyncio.run(run(args, addresses))))


# --- the benchmark -----------------------------------------------------------------------------


def run_client(mode: str, args: argparse.Namespace, env: dict[str, str], addresses: Path,
               url: str = "", key_file: Path | None = None, watch: tuple[int, ...] = (),
               seconds: float | None = None) -> dict[str, Any]:
    """Run the client process; its summary, its own CPU seconds, and the CPU seconds of the
    watched processes (server, Neo4j) over the same time."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--drive", mode,
           "--clients", str(args.clients), "--seconds", str(seconds or args.seconds),
           "--seed", str(args.seed), "--addresses-file", str(addresses), "--url", url]
    if key_file is not None:
        cmd += ["--key-file", str(key_file)]
    watched = [psutil.Process(pid) for pid in watch]
    before = [_cpu(p) for p in watched]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"the {mode} client failed:\n{err.read().decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out)
    result["client_cpu_s"] = usage.ru_utime + usage.ru_stime
    result["watched_cpu_s"] = [_cpu(p) - b for p, b in zip(watched, before, strict=True)]
    return result


def _cpu(p: psutil.Process) -> float:
    """The process's CPU seconds with its children's (uvicorn's worker processes)."""
    return sum(sum(q.cpu_times()[:2]) for q in [p, *p.children(recursive=True)])


WRK_SCRIPT = r"""
-- chaintrail bench/api.py: random addresses, every body checked (see the Python side)
local addresses, threads, counter = {}, {}, 0
errors = 0  -- a global: done() reads each thread's with thread:get
local query = QUERY_JSON
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(addresses, line) end
  end
  math.randomseed(tonumber(args[2]) * 1000 + id)
  wrk.headers["Content-Type"] = "application/json"
  if args[3] and #args[3] > 0 then wrk.headers["Authorization"] = "Bearer " .. args[3] end
end
function request()
  local a = addresses[math.random(#addresses)]
  return wrk.format("POST", "/graphql", nil,
                    '{"query":' .. query .. ',"variables":{"a":"' .. a .. '"}}')
end
function response(status, headers, body)
  if status ~= 200 or not body:find('"__typename":"Address"', 1, true)
     or body:find('"errors"', 1, true) or not body:find('"cluster":{"id"', 1, true) then
    errors = errors + 1
  end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  local s = summary.errors
  e = e + s.connect + s.read + s.write + s.status + s.timeout
  io.write(string.format('WRKJSON {"requests": %d, "seconds": %.3f, "errors": %d, ' ..
    '"p50": %.3f, "p95": %.3f, "error_examples": []}\n', summary.requests,
    summary.duration / 1e6, e, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def run_wrk(args: argparse.Namespace, addresses: Path, url: str, key: str | None,
            watch: tuple[int, ...], seconds: float) -> dict[str, Any]:
    """The API clients as `wrk` (C, from Debian: `make bench-tools`), with the same requests
    and the same body check as the httpx clients, in a Lua script: the load generator then
    takes a small share of the 2 cores instead of the largest. Latency percentiles are wrk's."""
    lines = addresses.with_suffix(".txt")
    lines.write_text("".join(f"{a}\n" for a in json.loads(addresses.read_text())))
    lua_query = "[==[" + json.dumps(QUERY) + "]==]"  # a JSON string, as a Lua long string
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.lua"
        script.write_text(WRK_SCRIPT.replace("QUERY_JSON", lua_query))

        def wrk(secs: float) -> tuple[str, str, float]:
            cmd = ["wrk", "-t2", f"-c{args.clients}", f"-d{round(secs)}s", "--timeout", "30s",
                   "-s", str(script), url, "--", str(lines), str(args.seed), key or ""]
            with tempfile.TemporaryFile() as err:
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                                        stdin=subprocess.DEVNULL)
                assert proc.stdout is not None
                out = proc.stdout.read().decode()
                _, status, usage = os.wait4(proc.pid, 0)
                err.seek(0)
                if os.waitstatus_to_exitcode(status) != 0:
                    raise SystemExit(f"wrk failed:\n{err.read().decode()[-3000:]}")
                return out, err.read().decode(), usage.ru_utime + usage.ru_stime

        wrk(WARMUP_S)  # not counted, as the httpx clients' first seconds
        watched = [psutil.Process(pid) for pid in watch]
        before = [_cpu(p) for p in watched]
        out, _, client_cpu = wrk(seconds)
        after = [_cpu(p) for p in watched]
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    result["client_cpu_s"] = client_cpu
    result["watched_cpu_s"] = [a - b for a, b in zip(after, before, strict=True)]
    return result


def sample_and_tag(chain_dir: Path, work: Path, env: dict[str, str], seed: int) -> Path:
    """A random sample of the chain's addresses (from its truth), written for the clients;
    the addresses of exchanges, merchants, miners and mixers are loaded as tags of their kind
    (once per work directory)."""
    truth = json.loads((chain_dir / "truth.json").read_text())
    entities = truth["entities"].values()
    sample_path = work / "addresses.json"
    if not sample_path.exists():
        for kind in TAGGED_KINDS:
            tagged = sorted({a for e in entities if e["kind"] == kind for a in e["addresses"]})
            if tagged:
                path = work / f"{kind}.txt"
                path.write_text("".join(f"{a}\n" for a in tagged))
                run_measured([str(CLI), "load", "tags", "--source", "bench", "--category", kind,
                              str(path)], env)
        everything = sorted({a for e in entities for a in e["addresses"]})
        sample = random.Random(seed).sample(everything, min(SAMPLE, len(everything)))
        sample_path.write_text(json.dumps(sample))
    return sample_path


def api_key(env: dict[str, str]) -> str | None:
    """A reader key from `chaintrail apikey create --role reader`, if this version has keys."""
    proc = subprocess.run([str(CLI), "apikey", "create", "--role", "reader", "--name", "bench"],
                          env=env, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        if "No such command" in proc.stderr:
            return None
        raise SystemExit(f"chaintrail apikey create failed:\n{proc.stderr}")
    return proc.stdout.strip()


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chaintrail serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("chaintrail serve did not become ready")


def report(name: str, r: dict[str, Any]) -> None:
    print(f"{name}: {r['requests'] / r['seconds']:.0f} requests/s, p50 {r['p50']:.1f} ms, "
          f"p95 {r['p95']:.1f} ms, errors {r['errors']} ({r['requests']} requests in "
          f"{r['seconds']:.1f} s; client CPU {r['client_cpu_s']:.1f} s)")
    for e in r["error_examples"]:
        print(f"  error: {e}")


def main() -> None:
    ap = chain_parser(__doc__.splitlines()[0], 100_000)
    ap.add_argument("--seconds", type=float, default=30.0, help="measured run per phase")
    ap.add_argument("--clients", type=int, default=32, help="concurrent clients")
    ap.add_argument("--warmup", type=float, default=15.0,
                    help="seconds of direct lookups first, not measured (a fresh JVM compiles "
                         "and the page cache fills: without it the first phase pays for both)")
    ap.add_argument("--workers", type=lambda v: [int(x) for x in v.split(",")],
                    default=sorted({1, os.cpu_count() or 1}),
                    help="chaintrail serve --workers, one API run each (comma-separated; "
                         "default: 1 and one per core)")
    ap.add_argument("--client", choices=("wrk", "httpx"), default=None,
                    help="the API's load generator: wrk (C, the default when installed: "
                         "`make bench-tools`) or httpx (Python, as slow as the server)")
    ap.add_argument("--drive", choices=("api", "direct"), help=argparse.SUPPRESS)
    ap.add_argument("--url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--addresses-file", help=argparse.SUPPRESS)
    ap.add_argument("--key-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:
        drive(args)
        return
    if args.client is None:
        args.client = "wrk" if shutil.which("wrk") else "httpx"
        if args.client == "httpx":
            print("wrk is not installed (`make bench-tools`): the API clients are httpx")
    elif args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: run `make bench-tools`")
    with bench_instance(args) as bench:
        marker = bench.work / "loaded.json"
        if not marker.exists():
            load_s, _, out = run_measured([str(CLI), "load", "bitcoin", str(bench.chain_dir)],
                                          bench.env)
            marker.write_text(out)
            print(f"loaded and clustered in {load_s:.0f} s")
        loaded = json.loads(marker.read_text())
        addresses = sample_and_tag(bench.chain_dir, bench.work, bench.env, args.seed)
        sampled = len(json.loads(addresses.read_text()))
        key = api_key(bench.env)
        neo4j_pid = running_pid(bench.settings)
        assert neo4j_pid is not None
        warm = run_client("direct", args, bench.env, addresses, seconds=args.warmup)
        print(f"warm-up: {warm['requests']} direct lookups in {warm['seconds']:.0f} s")
        with tempfile.TemporaryDirectory() as tmp:
            key_file = None
            if key is not None:
                key_file = Path(tmp) / "key"
                key_file.write_text(key)
            apis = {w: serve_and_drive(args, bench.env, addresses, key, key_file, neo4j_pid, w)
                    for w in args.workers}
        direct = run_client("direct", args, bench.env, addresses, watch=(neo4j_pid,))
    print(f"machine: {machine()}")
    auth = "a reader key" if key else "none (this version has no API keys)"
    print(f"chain: {loaded['txs']} txs (seed {args.seed}); {args.clients} clients, "
          f"{sampled} random addresses; auth: {auth}; API clients: {args.client}")
    for w, api in apis.items():
        report(f"API address+cluster+tags (chaintrail serve --workers {w})", api)
        print(f"  CPU during the run: server {api['watched_cpu_s'][0]:.1f} s, "
              f"Neo4j {api['watched_cpu_s'][1]:.1f} s")
    report("direct driver, the same stored query (batch/addresses)", direct)
    print(f"  CPU during the run: Neo4j {direct['watched_cpu_s'][0]:.1f} s")
    for w, api in apis.items():
        print(f"ratio API / direct at p50, {w} server process{'es' if w > 1 else ''}: "
              f"{api['p50'] / direct['p50']:.2f}x (target <= 2x)")
    print("targets: >= 500 requests/s, p95 < 100 ms, 0 errors")


def serve_and_drive(args: argparse.Namespace, env: dict[str, str], addresses: Path,
                    key: str | None, key_file: Path | None, neo4j_pid: int,
                    workers: int) -> dict[str, Any]:
    """Start `chaintrail serve --workers N`, run the API clients against it, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(CLI), "serve", "--port", str(port),
                               "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL)
    try:
        wait_ready(url, server)
        if args.client == "wrk":
            return run_wrk(args, addresses, url, key, (server.pid, neo4j_pid), args.seconds)
        return run_client("api", args, env, addresses, url, key_file,
                          watch=(server.pid, neo4j_pid))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
