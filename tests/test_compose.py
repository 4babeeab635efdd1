"""docker-compose.yml and the Dockerfile, checked without Docker: services, images, ports, and
every command parsed by the real `liveblog` command line."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from streams.cli import app
from streams.core.topics import bootstrap_servers
from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
OURS = ("worker", "sink", "sink-web", "web", "replay")


@pytest.fixture(name="compose", scope="module")
def fixture_compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def _parse(args: list[str]) -> Any:
    """Parse a command line as `liveblog` would, down to the leaf command; raise on any error."""
    command: Any = typer.main.get_command(app)
    parent: Any = None
    name, rest = "liveblog", list(args)
    while hasattr(command, "get_command"):  # a group: the next word names a subcommand
        parent = command.context_class(command, info_name=name, parent=parent)
        name, rest = rest[0], rest[1:]
        sub = command.get_command(parent, name)
        assert sub is not None, f"no command {name!r}"
        command = sub
    return command.make_context(name, rest, parent=parent)


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _published(service: dict[str, Any]) -> dict[int, int]:
    out = {}
    for item in service.get("ports") or []:
        host, container = str(item).rsplit(":", 1)
        out[int(container)] = int(host.rsplit(":", 1)[-1])
    return out


class TestComposeServices:
    def test_services_and_images(self, compose: dict[str, Any]) -> None:
        """Kafka (official apache/kafka image), PostgreSQL, and our services built from here."""
        services = _services(compose)
        assert set(services) == {"kafka", "postgres", *OURS}
        assert re.fullmatch(r"apache/kafka:\d+\.\d+\.\d+", services["kafka"]["image"])
        assert re.fullmatch(r"postgres:\d+", services["postgres"]["image"])
        for name in OURS:
            assert services[name]["build"] == ".", name
            assert services[name]["image"] == "liveblog:latest", name

    def test_kafka_runs_kraft_without_zookeeper(self, compose: dict[str, Any]) -> None:
        """The broker is a combined KRaft broker and controller with a valid cluster id."""
        env = _env(_services(compose)["kafka"])
        assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        assert not any("ZOOKEEPER" in key for key in env)
        node = env["KAFKA_NODE_ID"]
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node}@kafka:9093"
        cluster = env["CLUSTER_ID"]
        assert len(base64.urlsafe_b64decode(cluster + "==")) == 16
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"

    @pytest.mark.parametrize("name", OURS)
    def test_commands_parse_with_the_cli(self, compose: dict[str, Any], name: str) -> None:
        """Every service command is a valid `liveblog` command line."""
        command = _services(compose)[name]["command"]
        assert isinstance(command, list)
        ctx = _parse(command)
        assert ctx.command.name == command[0]

    @pytest.mark.parametrize("name", ["worker", "sink", "sink-web", "replay"])
    def test_kafka_clients_use_the_internal_listener(
        self, compose: dict[str, Any], name: str
    ) -> None:
        """Containers reach the broker on the listener it advertises inside the network."""
        services = _services(compose)
        advertised = _env(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"]
        internal = dict(item.split("://", 1)[::-1] for item in advertised.split(","))
        service = services[name]
        broker = _env(service)["LIVEBLOG_BROKER"]
        if "--broker" in service["command"]:
            broker = _option(service["command"], "--broker")
        (address,) = bootstrap_servers(broker)
        assert internal[address] == "PLAINTEXT"
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"

    def test_sinks_write_their_own_databases(self, compose: dict[str, Any]) -> None:
        """The PostgreSQL sink uses the database's credentials; each sink has its own group."""
        services = _services(compose)
        pg = _env(services["postgres"])
        dsn = _option(services["sink"]["command"], "--db")
        assert dsn == (
            f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/"
            f"{pg['POSTGRES_DB']}"
        )
        assert services["sink"]["depends_on"]["postgres"]["condition"] == "service_healthy"
        groups = {_option(services[s]["command"], "--group") for s in ("sink", "sink-web")}
        assert len(groups) == 2

    def test_web_serves_what_its_sink_writes(self, compose: dict[str, Any]) -> None:
        """The web page reads the SQLite file sink-web fills, on a shared volume and its port."""
        services = _services(compose)
        web, sink = services["web"], services["sink-web"]
        db = _option(web["command"], "--db")
        assert db == _option(sink["command"], "--db")
        mounts = {v.split(":", 1)[1]: v.split(":", 1)[0] for v in web["volumes"]}
        sink_mounts = {v.split(":", 1)[1]: v.split(":", 1)[0] for v in sink["volumes"]}
        directory = str(Path(db).parent)
        assert mounts[directory] == sink_mounts[directory]
        assert mounts[directory] in compose["volumes"]
        port = int(_option(web["command"], "--port"))
        assert _published(web)[port] == port
        assert _option(web["command"], "--host") == "0.0.0.0"

    def test_ports(self, compose: dict[str, Any]) -> None:
        """Host ports: Kafka's external listener, PostgreSQL, the web page; metrics exposed."""
        services = _services(compose)
        kafka_env = _env(services["kafka"])
        external = [
            a for a in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",") if "EXTERNAL" in a
        ]
        assert external == ["EXTERNAL://localhost:9094"]
        assert _published(services["kafka"]) == {9094: 9094}
        assert _published(services["postgres"]) == {5432: 5432}
        for name in ("worker", "sink"):
            port = _option(services[name]["command"], "--metrics-port")
            assert services[name]["expose"] == [port]
        assert _env(services["worker"])["LIVEBLOG_METRICS_HOST"] == "0.0.0.0"


class TestDockerfile:
    def test_copied_paths_exist(self) -> None:
        """Everything the Dockerfile copies from the build context is in the repository."""
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
            if line.startswith("COPY ") and "--from=" not in line:
                for source in line.split()[1:-1]:
                    assert (ROOT / source).exists(), source

    def test_entrypoint_is_the_cli(self) -> None:
        """The image runs `liveblog`, so a service's command is the CLI's arguments."""
        text = DOCKERFILE.read_text(encoding="utf-8")
        assert 'ENTRYPOINT ["liveblog"]' in text
        assert "USER liveblog" in text


class TestHealthchecks:
    @pytest.mark.parametrize("name", ["kafka", "postgres", "worker", "sink", "sink-web", "web"])
    def test_every_service_has_one(self, compose: dict[str, Any], name: str) -> None:
        """Every long-running service has a healthcheck with a command."""
        check = _services(compose)[name].get("healthcheck")
        assert check and check.get("test") and not check.get("disable")

    @pytest.mark.parametrize(
        ("name", "flag"),
        [("worker", "--metrics-port"), ("sink", "--metrics-port"), ("sink-web", "--metrics-port"),
         ("web", "--port")],
    )  # fmt: skip
    def test_ours_probe_readyz_on_their_port(
        self, compose: dict[str, Any], name: str, flag: str
    ) -> None:
        """Our services' probes ask `/readyz` on the port their own command serves, with Python
        (the image has no curl)."""
        service = _services(compose)[name]
        port = _option(service["command"], flag)
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"]
        assert f"http://127.0.0.1:{port}/readyz" in test[3]
        compile(test[3], "healthcheck", "exec")

    def test_web_waits_for_a_healthy_sink(self, compose: dict[str, Any]) -> None:
        """The page starts once the sink that fills its database is ready."""
        depends = _services(compose)["web"]["depends_on"]
        assert depends["sink-web"]["condition"] == "service_healthy"

    def test_one_shot_tool_says_so(self, compose: dict[str, Any]) -> None:
        """The replay tool runs to its end: its healthcheck is off on purpose."""
        assert _services(compose)["replay"]["healthcheck"] == {"disable": True}
