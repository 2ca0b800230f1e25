"""Kafka 4.x as one KRaft broker+controller, run with `java` from jars Maven resolves."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from string import Template

from infra.devservices.config import HOST
from infra.devservices.process import DevServiceError, check_tcp, run_tool, spawn
from infra.devservices.service import Service, timed

# A whole `make test` creates thousands of namespaced topic partitions; 512 MiB ran out.
BROKER_HEAP = ["-Xms256m", "-Xmx1536m"]
TOOL_HEAP = ["-Xms64m", "-Xmx256m"]
# Tests never delete their namespaced topics; after a few runs the broker cannot even load them
# at start. The dev broker holds nothing but test and benchmark scratch, so it starts afresh.
MAX_KEPT_PARTITIONS = 4000
JVM_OPTS = [
    # The flags kafka-run-class.sh uses for the broker.
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
]
_RESERVED_IDS = {bytes(16), bytes(15) + b"\x01"}  # Uuid.ZERO_UUID and Uuid.ONE_UUID


def new_cluster_id() -> str:
    """A cluster id by Kafka's Uuid.randomUuid rules: 22-char base64url, not reserved, no '-'."""
    while True:
        raw = uuid.uuid4().bytes
        text = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        if raw not in _RESERVED_IDS and not text.startswith("-"):
            return text


def partition_count(data_dir: Path) -> int:
    """Partition folders (`<topic>-<n>`) under a broker's log dir; 0 when it does not exist."""
    if not data_dir.is_dir():
        return 0
    return sum(1 for p in data_dir.iterdir() if p.is_dir() and re.fullmatch(r".+-\d+", p.name))


class Kafka(Service):
    """A single-node KRaft cluster on 127.0.0.1 with its controller on a second port."""

    name = "kafka"
    expect = "kafka.Kafka"
    # A cold JVM plus a KRaft election takes several seconds on 2 cores, more beside a Go build.
    ready_timeout = 120.0
    stop_timeout = 60.0

    @property
    def port(self) -> int:
        """The PLAINTEXT client port."""
        return self.cfg.kafka_port

    @property
    def source_dir(self) -> Path:
        """devservices/kafka: the POM and config templates under version control."""
        return self.cfg.root / "devservices" / "kafka"

    @property
    def lib_dir(self) -> Path:
        """The broker's runtime classpath, copied once by Maven and reused."""
        return self.state_dir / "libs"

    @property
    def data_dir(self) -> Path:
        """log.dirs: the KRaft metadata log and topic partitions."""
        return self.state_dir / "data"

    @property
    def properties(self) -> Path:
        """The rendered server.properties."""
        return self.state_dir / "server.properties"

    def install(self) -> list[str]:
        """Copy the runtime jars with Maven unless the POM is unchanged since the last copy."""
        pom = self.source_dir / "pom.xml"
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()
        stamp = self.lib_dir / ".pom.sha256"
        if stamp.exists() and stamp.read_text().strip() == digest:
            return []
        if shutil.which("mvn") is None:
            raise DevServiceError("Maven (mvn) is needed for the Kafka jars; not on PATH")
        # Copy into a fresh dir and swap it in, so an interrupted copy never looks complete.
        tmp = self.state_dir / f"libs.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)

        def copy() -> None:
            run_tool(
                [
                    "mvn",
                    "-q",
                    "-B",
                    "-f",
                    str(pom),
                    "dependency:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={tmp}",
                ],
                log=self.state_dir / "maven.log",
            )
            if not any(tmp.glob("kafka_2.13-*.jar")):
                raise DevServiceError(f"Maven copied no Kafka jar into {tmp}")
            (tmp / ".pom.sha256").write_text(digest + "\n")
            shutil.rmtree(self.lib_dir, ignore_errors=True)
            tmp.rename(self.lib_dir)

        return [timed("jars resolved", copy)]

    def _java(self, heap: list[str]) -> list[str]:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
        if not java:
            raise DevServiceError("Java 17+ is needed for Kafka; `java` is not on PATH")
        tmp = self.state_dir / "tmp"
        tmp.mkdir(exist_ok=True)
        logs = self.state_dir / "logs"
        logs.mkdir(exist_ok=True)
        return [
            java,
            *heap,
            *JVM_OPTS,
            f"-Dkafka.logs.dir={logs}",
            f"-Dlog4j2.configurationFile={self.source_dir / 'log4j2.properties'}",
            # Native zstd/snappy unpack into a temp dir; /tmp may be mounted noexec.
            f"-Djava.io.tmpdir={tmp}",
            f"-DZstdTempFolder={tmp}",
            f"-Dorg.xerial.snappy.tempdir={tmp}",
            "-cp",
            f"{self.lib_dir}/*",
        ]

    def _render(self) -> None:
        template = Template((self.source_dir / "server.properties.template").read_text())
        self.properties.write_text(
            template.substitute(
                host=HOST,
                port=self.cfg.kafka_port,
                controller_port=self.cfg.kafka_controller_port,
                data_dir=self.data_dir,
            )
        )

    def prepare(self) -> list[str]:
        """Render server.properties (ports may have changed) and format the log dir once."""
        self._render()
        steps: list[str] = []
        kept = partition_count(self.data_dir)
        if kept > MAX_KEPT_PARTITIONS:
            shutil.rmtree(self.data_dir)
            steps.append(f"dropped {kept} leftover test partitions")
        if (self.data_dir / "meta.properties").exists():
            return steps
        id_file = self.state_dir / "cluster.id"
        cluster_id = id_file.read_text().strip() if id_file.exists() else new_cluster_id()
        id_file.write_text(cluster_id + "\n")

        def fmt() -> None:
            run_tool(
                [
                    *self._java(TOOL_HEAP),
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster_id,
                    "-c",
                    str(self.properties),
                ],
                log=self.state_dir / "format.log",
            )

        return [*steps, timed("formatted", fmt)]

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the broker JVM detached; SIGTERM runs its clean-shutdown hook."""
        return spawn(
            [*self._java(BROKER_HEAP), "kafka.Kafka", str(self.properties)],
            log=self.log,
            pidfile=self.pidfile,
            cwd=self.state_dir,
        )

    def probe(self) -> None:
        """A metadata round-trip that lists this broker, via the client the services use."""
        check_tcp(HOST, self.port)  # fail fast without aiokafka's connection-retry logging
        asyncio.run(self._describe_cluster())

    async def _describe_cluster(self) -> None:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(
            bootstrap_servers=f"{HOST}:{self.port}",
            client_id="jams-devservices-probe",
            request_timeout_ms=5000,
        )
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
        finally:
            await admin.close()
        if not cluster.get("brokers"):
            raise DevServiceError("metadata lists no brokers yet")

    def env(self) -> dict[str, str]:
        """JAMS_KAFKA_BOOTSTRAP."""
        return {"JAMS_KAFKA_BOOTSTRAP": f"{HOST}:{self.port}"}
