"""Neo4j Community + APOC jars, resolved from Maven Central with `mvn` into a shared cache.

Why Maven: this project's machines reach Maven Central but neither neo4j.com nor a Docker
registry, and the Neo4j tarball is not attached to the assembler artifact on Central. Its POM's
runtime dependency closure *is* the tarball's `lib/`, so `maven-dependency-plugin` rebuilds it.

Layout (shared by every chaintrail home, keyed by version)::

    <cache_dir>/neo4j-<version>/
        lib/*.jar              the server's class path
        plugins/*.jar          APOC Core + apoc-common + the dependencies lib/ lacks
        maven/                 the wrapper POMs used and the assembler POM (for reference)
        distribution.json      marker + manifest, written last

The directory is built under a temporary name and renamed into place only when complete,
with `distribution.json` written just before the rename, so a directory that exists with its
marker is always whole; a second `setup` reads the marker and runs no `mvn` at all.
A lock file serialises concurrent setups (two instances, or parallel tests) of one version.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from chaintrail.errors import ConfigError, ServerError
from chaintrail.settings import Settings

log = logging.getLogger(__name__)

DEPENDENCY_PLUGIN_VERSION = "3.6.1"
"""maven-dependency-plugin version that was verified to resolve the 5.26 closure."""

MANIFEST_NAME = "distribution.json"
MANIFEST_FORMAT = 1
"""Bumped when the cache layout changes, so that an old cache is rebuilt, not misread."""

MIN_JAVA = 17
SUPPORTED_JAVA = (17, 21)
"""Neo4j 5.26 LTS supports Java 17 and 21; newer JVMs may work but are not supported."""

_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_MVN_TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class Artifact:
    """One resolved jar: its Maven coordinates and its file name in lib/ or plugins/."""

    group: str
    artifact: str
    version: str
    file: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity for "is this library already present": groupId and artifactId, no version."""
        return (self.group, self.artifact)


@dataclass(frozen=True)
class Distribution:
    """A complete, cached Neo4j distribution (server jars + APOC) for one version."""

    version: str
    root: Path
    main_class: str
    admin_class: str
    lib: tuple[Artifact, ...]
    plugins: tuple[Artifact, ...]

    @property
    def lib_dir(self) -> Path:
        return self.root / "lib"

    @property
    def plugins_dir(self) -> Path:
        return self.root / "plugins"


@dataclass(frozen=True)
class Tool:
    """An external program that was found and checked."""

    path: Path
    version: str


def distribution_dir(settings: Settings) -> Path:
    """Where the jars of `settings.neo4j_version` live (complete or not)."""
    return settings.cache_dir / f"neo4j-{settings.neo4j_version}"


# --------------------------------------------------------------------------------------------
# Tools


def parse_java_version(output: str) -> tuple[int, str]:
    """Feature release and full version from `java -version` output ("1.8.0_x" counts as 8)."""
    m = re.search(r'version "([^"]+)"', output)
    if m is None:
        raise ConfigError(f"cannot read the Java version from `java -version`: {output.strip()!r}")
    full = m.group(1)
    nums = re.findall(r"\d+", full)
    if not nums:
        raise ConfigError(f"cannot read the Java version from {full!r}")
    feature = int(nums[1]) if nums[0] == "1" and len(nums) > 1 else int(nums[0])
    return feature, full


def find_java() -> Tool:
    """The `java` on PATH, checked to be 17 or newer (Neo4j 5.26 does not run on older JVMs)."""
    exe = shutil.which("java")
    if exe is None:
        raise ConfigError(
            "`java` was not found on PATH; Neo4j 5.26 needs a Java 17 or 21 runtime "
            "(e.g. apt-get install openjdk-17-jre-headless)"
        )
    try:
        proc = subprocess.run(
            [exe, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ConfigError(f"cannot run {exe} -version: {e}") from e
    feature, full = parse_java_version(proc.stderr + proc.stdout)
    if feature < MIN_JAVA:
        raise ConfigError(
            f"{exe} is Java {full}; Neo4j {SUPPORTED_JAVA} needs Java {MIN_JAVA} or newer "
            "(put a JDK 17 or 21 first on PATH)"
        )
    if feature not in SUPPORTED_JAVA:
        log.warning("%s is Java %s; Neo4j 5.26 is supported on Java 17 and 21 only", exe, full)
    return Tool(Path(exe), full)


def find_mvn() -> Tool:
    """The `mvn` on PATH; only needed when the cache must be filled."""
    exe = shutil.which("mvn")
    if exe is None:
        raise ConfigError(
            "`mvn` (Apache Maven) was not found on PATH; it is needed once to download the "
            "Neo4j jars from Maven Central (e.g. apt-get install maven)"
        )
    return Tool(Path(exe), "")


# --------------------------------------------------------------------------------------------
# Cache


def load_distribution(settings: Settings) -> Distribution | None:
    """The cached distribution if it is complete (marker present and readable), else None."""
    root = distribution_dir(settings)
    manifest = root / MANIFEST_NAME
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        log.warning("ignoring unreadable %s: %s", manifest, e)
        return None
    if data.get("format") != MANIFEST_FORMAT or data.get("neo4j_version") != settings.neo4j_version:
        log.info("cache %s has another format or version; it will be rebuilt", root)
        return None
    dist = _from_manifest(root, data)
    if dist is None:
        log.warning("ignoring malformed %s; the cache will be rebuilt", manifest)
        return None
    missing = [a.file for a in dist.lib if not (dist.lib_dir / a.file).is_file()]
    missing += [a.file for a in dist.plugins if not (dist.plugins_dir / a.file).is_file()]
    if missing:
        log.warning(
            "cache %s is missing %d jars (e.g. %s); rebuilding", root, len(missing), missing[0]
        )
        return None
    return dist


def ensure_distribution(settings: Settings) -> Distribution:
    """Return the cached distribution, downloading it with `mvn` first if it is not complete.

    Idempotent and safe to call concurrently: the first caller builds, later ones wait on the
    lock and then find the marker.
    """
    dist = load_distribution(settings)
    if dist is not None:
        log.debug("Neo4j %s found in %s", dist.version, dist.root)
        return dist
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(settings.cache_dir / f"neo4j-{settings.neo4j_version}.lock"):
        dist = load_distribution(settings)
        if dist is not None:
            return dist
        return _build(settings)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _template(name: str, **values: str) -> str:
    text = resources.files("db").joinpath("templates", name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.search(r"@[A-Z_]+@", text)
    if left:
        raise ServerError(f"template {name} has an unreplaced placeholder {left.group(0)}")
    return text


def _build(settings: Settings) -> Distribution:
    version = settings.neo4j_version
    mvn = find_mvn()
    final = distribution_dir(settings)
    started = time.monotonic()
    log.info("resolving Neo4j %s and APOC %s from Maven Central into %s", version, version, final)
    tmp = Path(tempfile.mkdtemp(prefix=f".neo4j-{version}.", dir=settings.cache_dir))
    try:
        maven = tmp / "maven"
        server_pom = maven / "server" / "pom.xml"
        apoc_pom = maven / "apoc" / "pom.xml"
        server_pom.parent.mkdir(parents=True)
        apoc_pom.parent.mkdir(parents=True)
        plugin = DEPENDENCY_PLUGIN_VERSION
        server_pom.write_text(
            _template(
                "neo4j-server.pom.xml", NEO4J_VERSION=version, DEPENDENCY_PLUGIN_VERSION=plugin
            ),
            encoding="utf-8",
        )
        apoc_pom.write_text(
            _template("apoc.pom.xml", APOC_VERSION=version, DEPENDENCY_PLUGIN_VERSION=plugin),
            encoding="utf-8",
        )
        goal = f"org.apache.maven.plugins:maven-dependency-plugin:{plugin}"
        _run_mvn(mvn, server_pom, [f"{goal}:copy-dependencies@jars", f"{goal}:copy@assembler-pom"])
        _run_mvn(mvn, apoc_pom, [f"{goal}:copy-dependencies@jars"])

        main_class, admin_class = read_main_classes(
            server_pom.parent / "assembler" / "assembler.pom"
        )
        lib = _flatten(server_pom.parent / "jars", tmp / "lib")
        if not lib:
            raise ServerError(f"mvn resolved no jars for neo4j-community-standalone {version}")
        present = {a.key for a in lib}
        apoc_all = _collect(apoc_pom.parent / "jars")
        wanted = [a for a in apoc_all if a[0].key not in present]
        skipped = sorted(
            f"{a.group}:{a.artifact}:{a.version}" for a, _ in apoc_all if a.key in present
        )
        plugins = _flatten_list(wanted, tmp / "plugins")
        if not any(a.artifact == "apoc-core" for a in plugins):
            raise ServerError(f"mvn did not resolve org.neo4j.procedure:apoc-core:{version}")
        for sub in ("server", "apoc"):
            shutil.rmtree(maven / sub / "jars", ignore_errors=True)

        manifest: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "neo4j_version": version,
            "apoc_version": version,
            "main_class": main_class,
            "admin_class": admin_class,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "resolve_seconds": round(time.monotonic() - started, 1),
            "lib": [a.__dict__ for a in lib],
            "plugins": [a.__dict__ for a in plugins],
            "plugins_skipped_present_in_lib": skipped,
        }
        marker_tmp = tmp / (MANIFEST_NAME + ".tmp")
        marker_tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        marker_tmp.replace(tmp / MANIFEST_NAME)

        if final.exists():
            # Only an incomplete or outdated directory can be here (we hold the lock and the
            # marker check failed): move it aside first so the rename below stays atomic.
            trash = Path(
                tempfile.mkdtemp(prefix=f".stale-neo4j-{version}.", dir=settings.cache_dir)
            )
            final.rename(trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    dist = load_distribution(settings)
    if dist is None:
        raise ServerError(f"the Neo4j cache {final} is incomplete right after building it")
    log.info(
        "Neo4j %s ready: %d server jars, %d plugin jars, %.0f s",
        version,
        len(dist.lib),
        len(dist.plugins),
        time.monotonic() - started,
    )
    return dist


def _run_mvn(mvn: Tool, pom: Path, goals: list[str]) -> None:
    cmd = [str(mvn.path), "-B", "-q", "-f", str(pom), *goals]
    log.info("running %s", " ".join(cmd))
    try:
        proc = subprocess.run(
            cmd,
            cwd=pom.parent,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_MVN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise ServerError(
            f"mvn did not finish within {_MVN_TIMEOUT_S:.0f} s: {' '.join(cmd)}"
        ) from e
    except OSError as e:
        raise ServerError(f"cannot run mvn: {e}") from e
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()
        tail = "\n".join(output[-40:])
        raise ServerError(
            f"mvn failed (exit {proc.returncode}) resolving {pom.parent.name} jars from Maven "
            f"Central; is the network/proxy up and the version published?\n{tail}"
        )


def read_main_classes(assembler_pom: Path) -> tuple[str, str]:
    """Server and admin main classes from the assembler POM.

    The server class is the `neo4j.mainClass` property (renamed across releases, so it is not
    hard-coded); the admin class is the appassembler program with id `neo4j-admin`.
    """
    try:
        root = ET.parse(assembler_pom).getroot()
    except (OSError, ET.ParseError) as e:
        raise ServerError(f"cannot read the Neo4j assembler POM {assembler_pom}: {e}") from e
    main = root.findtext("m:properties/m:neo4j.mainClass", namespaces=_POM_NS)
    admin = None
    for program in root.iterfind(".//m:program", _POM_NS):
        if (program.findtext("m:id", namespaces=_POM_NS) or "").strip() == "neo4j-admin":
            admin = program.findtext("m:mainClass", namespaces=_POM_NS)
    if not main or not admin:
        raise ServerError(
            f"{assembler_pom} names no neo4j.mainClass property or no neo4j-admin program; "
            "this Neo4j version is laid out differently than 5.26"
        )
    return main.strip(), admin.strip()


def _collect(repo_dir: Path) -> list[tuple[Artifact, Path]]:
    """Jars from a `useRepositoryLayout` tree, with coordinates read from their paths."""
    found: list[tuple[Artifact, Path]] = []
    for jar in sorted(repo_dir.rglob("*.jar")):
        rel = jar.relative_to(repo_dir).parts
        if len(rel) < 4:
            raise ServerError(f"unexpected jar path in the Maven output: {jar}")
        group, artifact, version = ".".join(rel[:-3]), rel[-3], rel[-2]
        found.append((Artifact(group, artifact, version, jar.name), jar))
    return found


def _flatten(repo_dir: Path, dest: Path) -> list[Artifact]:
    return _flatten_list(_collect(repo_dir), dest)


def _flatten_list(items: list[tuple[Artifact, Path]], dest: Path) -> list[Artifact]:
    dest.mkdir(parents=True, exist_ok=True)
    out: list[Artifact] = []
    for art, src in items:
        name = art.file
        if (dest / name).exists():  # same artifactId-version from two groups
            name = f"{art.group}.{name}"
        src.rename(dest / name)
        out.append(Artifact(art.group, art.artifact, art.version, name))
    return out


def _from_manifest(root: Path, data: dict[str, Any]) -> Distribution | None:
    try:
        return Distribution(
            version=str(data["neo4j_version"]),
            root=root,
            main_class=str(data["main_class"]),
            admin_class=str(data["admin_class"]),
            lib=tuple(Artifact(**a) for a in data["lib"]),
            plugins=tuple(Artifact(**a) for a in data["plugins"]),
        )
    except (KeyError, TypeError):
        return None
