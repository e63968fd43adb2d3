# syntax=docker/dockerfile:1
# The chaintrail image: the `chaintrail` command (API, loaders, queries) for an external Neo4j.
# No Java here: the managed Neo4j server (`chaintrail db ...`) is for laptops; with Docker, Neo4j
# is the neo4j service of docker-compose.yml. Not built here (no Docker engine on our machines);
# tests/test_docker_compose.py checks its structure.

# --- build: wheels of chaintrail and of every dependency -------------------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# What `pip wheel .` needs: the metadata (pyproject.toml names README.md as the readme) and the
# packages of [tool.setuptools.packages.find]; package data (cypher/**/*.cypher, db/templates/*)
# comes with its package.
COPY pyproject.toml README.md ./
COPY chaintrail ./chaintrail
COPY api ./api
COPY loaders ./loaders
COPY analysis ./analysis
COPY cypher ./cypher
COPY db ./db
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels .

# --- runtime: the wheels installed, nothing else -------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    CHAINTRAIL_MANAGE_DB=false
# Installed from the build stage's wheels only (--no-index: no second resolution from PyPI);
# the bind mount keeps the wheels out of the image's layers.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels chaintrail
# A non-root user with a home (platformdirs puts CHAINTRAIL_HOME/CACHE_DIR there); numeric in
# USER so that runtimes enforcing "non-root" (Kubernetes runAsNonRoot) can check it.
RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin chaintrail
USER 10001:10001
WORKDIR /home/chaintrail
EXPOSE 8000
ENTRYPOINT ["chaintrail"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
