"""docker-compose.yml, Dockerfile and .dockerignore, checked without Docker.

There is no Docker engine on our machines, so nothing here builds or starts a container: these
tests read the files and check what can go wrong silently (a drifting Neo4j pin, a port open to
the network, an env name chaintrail does not read, a healthcheck Compose would interpolate).
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from chaintrail.settings import NEO4J_VERSION, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE_TEXT = (ROOT / "Dockerfile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

PREFIX = str(Settings.model_config.get("env_prefix", ""))
SETTINGS_ENV = {PREFIX + name.upper() for name in Settings.model_fields}
DURATION = re.compile(r"^(\d+(ns|us|ms|s|m|h))+$")
# ${...} that Compose interpolates (a `$$` escapes it for the container's shell instead)
INTERPOLATION = re.compile(r"(?<!\$)\$\{([^}]*)\}")


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        instruction, _, args = line.partition(" ")
        out.append((instruction.upper(), args.strip()))
    assert not pending, "Dockerfile ends with a line continuation"
    return out


INSTRUCTIONS = dockerfile_instructions(DOCKERFILE_TEXT)


def args_of(instruction: str) -> list[str]:
    return [a for i, a in INSTRUCTIONS if i == instruction]


def final_stage() -> list[tuple[str, str]]:
    starts = [n for n, (i, _) in enumerate(INSTRUCTIONS) if i == "FROM"]
    return INSTRUCTIONS[starts[-1]:]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for i, args in final_stage():
        if i == "ENV":
            for word in shlex.split(args):
                key, sep, value = word.partition("=")
                assert sep, f"ENV {args!r}: use the KEY=value form"
                env[key] = value
    return env


def exec_form(instruction: str) -> list[str]:
    values = [a for i, a in final_stage() if i == instruction]
    assert values, f"no {instruction} in the final stage"
    parsed = json.loads(values[-1])  # the exec (JSON) form: no shell in between
    assert isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)
    return parsed


def interpolate(value: str) -> str:
    """A Compose value with every ${VAR:-default} set to its default, ${VAR:?err} to "x"."""
    def repl(m: re.Match[str]) -> str:
        _name, op, rest = re.split(r"(:-|:\?)", m.group(1), maxsplit=1)
        return rest if op == ":-" else "x"
    return INTERPOLATION.sub(repl, value)


def command_port(command: list[str]) -> int:
    return int(command[command.index("--port") + 1])


# --- compose: services and the Neo4j server -----------------------------------------------------

def test_compose_spec_services() -> None:
    assert "version" not in COMPOSE  # the Compose spec has none (obsolete, warned about)
    assert set(SERVICES) == {"neo4j", "api", "loader"}
    assert set(COMPOSE["volumes"]) >= {"neo4j-data"}


def test_neo4j_image_is_the_pinned_version() -> None:
    assert SERVICES["neo4j"]["image"] == f"neo4j:{NEO4J_VERSION}-community"


def test_neo4j_environment() -> None:
    env = SERVICES["neo4j"]["environment"]
    assert "apoc" in json.loads(env["NEO4J_PLUGINS"])
    assert env["NEO4J_AUTH"] == (
        "neo4j/${CHAINTRAIL_NEO4J_PASSWORD:?set CHAINTRAIL_NEO4J_PASSWORD}"
    )
    defaults = Settings.model_fields
    sized = {
        "NEO4J_server_memory_heap_max__size": defaults["neo4j_heap"].default,
        "NEO4J_server_memory_pagecache_size": defaults["neo4j_pagecache"].default,
        "NEO4J_db_memory_transaction_total_max": defaults["neo4j_tx_memory"].default,
        "NEO4J_db_transaction_timeout":
            f"{defaults['transaction_timeout_s'].default:.0f}s",
    }
    for key, default in sized.items():
        assert interpolate(str(env[key])) == default, key


def test_neo4j_data_in_a_named_volume() -> None:
    volumes = SERVICES["neo4j"]["volumes"]
    assert "neo4j-data:/data" in volumes


@pytest.mark.parametrize("service", ["neo4j", "api"])
def test_healthcheck(service: str) -> None:
    check = SERVICES[service]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert len(check["test"]) >= 2
    for key in ("interval", "timeout", "start_period"):
        assert DURATION.match(check[key]), (key, check[key])
    assert isinstance(check["retries"], int) and check["retries"] >= 1


def test_neo4j_healthcheck_runs_a_query_with_the_password() -> None:
    probe = " ".join(SERVICES["neo4j"]["healthcheck"]["test"][1:])
    assert "cypher-shell" in probe and "RETURN 1" in probe
    # the container's shell expands the password, so Compose must not: "$$" in the file
    assert "$${NEO4J_AUTH#neo4j/}" in probe


def test_only_chaintrail_variables_are_interpolated_each_with_default_or_error() -> None:
    for expression in INTERPOLATION.findall(COMPOSE_TEXT):
        assert re.fullmatch(r"CHAINTRAIL_[A-Z0-9_]+(:-[^}]*|:\?[^}]+)", expression), (
            f"${{{expression}}}: only CHAINTRAIL_* with a :-default or a :?error "
            "(escape the container's own variables as $${...})"
        )


# --- compose: api and loader ------------------------------------------------------------------

def test_ports_bound_to_localhost_only() -> None:
    published = [(name, p) for name, s in SERVICES.items() for p in s.get("ports", [])]
    assert published
    for name, port in published:
        assert isinstance(port, str) and port.startswith("127.0.0.1:"), (name, port)
    neo4j_ports = {p.split(":", 1)[1] for p in SERVICES["neo4j"]["ports"]}
    assert neo4j_ports == {"7474:7474", "7687:7687"}


def test_every_chaintrail_env_name_is_a_setting() -> None:
    used = set(re.findall(r"CHAINTRAIL_[A-Z0-9_]+", COMPOSE_TEXT + DOCKERFILE_TEXT))
    assert used, "no CHAINTRAIL_* names found"
    assert used <= SETTINGS_ENV, f"not settings of chaintrail: {sorted(used - SETTINGS_ENV)}"


@pytest.mark.parametrize("service", ["api", "loader"])
def test_app_services_point_at_the_neo4j_service(service: str) -> None:
    s = SERVICES[service]
    assert s["build"] == "."
    assert s["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = {k: interpolate(str(v)) for k, v in s["environment"].items()}
    assert env["CHAINTRAIL_NEO4J_URI"] == "bolt://neo4j:7687"
    assert "CHAINTRAIL_NEO4J_PASSWORD" in env
    assert env["CHAINTRAIL_MANAGE_DB"] == "false"
    # the values are valid settings (validated alone: no environment, no .env)
    settings = Settings.model_validate(
        {k.removeprefix(PREFIX).lower(): v for k, v in env.items()}
    )
    assert settings.manage_db is False
    assert settings.neo4j_uri == "bolt://neo4j:7687"


def test_api_and_loader_run_the_same_image() -> None:
    assert SERVICES["api"]["image"] == SERVICES["loader"]["image"]
    assert SERVICES["api"]["build"] == SERVICES["loader"]["build"]


def test_api_serves_on_the_exposed_port() -> None:
    api = SERVICES["api"]
    command = api["command"]
    assert command[:1] == ["serve"]  # after the image's ENTRYPOINT ["chaintrail"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    port = command_port(command)
    assert api["ports"] == [f"127.0.0.1:{port}:{port}"]
    exposed = {int(p.split("/")[0]) for a in args_of("EXPOSE") for p in a.split()}
    assert exposed == {port}
    assert restart_policy(api) in {"always", "unless-stopped", "on-failure"}
    probe = " ".join(api["healthcheck"]["test"])
    assert f":{port}/healthz" in probe


def restart_policy(service: dict[str, Any]) -> str:
    return str(service.get("restart", "no")).split(":")[0]


def test_loader_is_a_one_off_tool() -> None:
    loader = SERVICES["loader"]
    assert loader["profiles"] == ["tools"]
    assert loader["entrypoint"] == ["chaintrail"]
    assert "./data:/data:ro" in loader["volumes"]
    assert "ports" not in loader and "healthcheck" not in loader
    assert restart_policy(loader) == "no"


# --- Dockerfile and .dockerignore -------------------------------------------------------------

def test_dockerfile_is_multi_stage_on_python_slim() -> None:
    bases = [shlex.split(a)[0] for a in args_of("FROM")]
    assert len(bases) >= 2
    assert all(b == "python:3.11-slim" for b in bases), bases
    assert ">=3.11" in PYPROJECT["project"]["requires-python"]


def test_dockerfile_runs_chaintrail_serve_as_a_non_root_user() -> None:
    users = [a for i, a in final_stage() if i == "USER"]
    assert users, "the image runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert exec_form("ENTRYPOINT") == ["chaintrail"]
    cmd = exec_form("CMD")
    assert cmd[0] == "serve" and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert command_port(cmd) == command_port(SERVICES["api"]["command"])


def test_dockerfile_environment() -> None:
    env = dockerfile_env()
    assert env["CHAINTRAIL_MANAGE_DB"] == "false"  # no Java in the image
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"


def test_dockerfile_copies_every_packaged_package() -> None:
    copied: set[str] = set()
    for args in args_of("COPY"):
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        copied.update(Path(w).as_posix().rstrip("/") for w in words[:-1])
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        d.name for d in ROOT.iterdir()
        if (d / "__init__.py").is_file() and any(fnmatch.fnmatch(d.name, p) for p in patterns)
    }
    assert packages >= {"chaintrail", "api", "cypher", "db"}
    needed = packages | {"pyproject.toml", "README.md"}
    assert needed - copied == set(), "not copied into the build stage: the wheel would lack them"


def test_dockerignore() -> None:
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for p in patterns:
            negate = p.startswith("!")
            if fnmatch.fnmatch(path, p.removeprefix("!")):
                result = not negate
        return result

    for path in (".venv", ".git", ".env", "data", ".mypy_cache", ".pytest_cache", "tests"):
        assert ignored(path), path
    for path in ("pyproject.toml", "README.md", "chaintrail", "cypher", "db", "api"):
        assert not ignored(path), path
