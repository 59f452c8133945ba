"""A Spark standalone cluster on this machine, as dbt meets one in production.

One master, ``workers`` worker daemons (each a JVM that starts its own executor JVM for an
application, so tasks run in processes apart from the driver, as on a cluster) and the Spark
Thrift server (HiveServer2's protocol), the driver that dbt's ``spark`` target reaches with
``method: thrift``. Everything comes from the installed pyspark (its ``bin/spark-class`` and
``bin/spark-submit``; the pip package has no ``sbin`` start scripts) and Java 17, listens on
127.0.0.1 on free ports, and writes under one working directory: logs, the workers' and
executors' scratch space, the warehouse directory (tables as Parquet files) and the Derby
metastore. On a real cluster the warehouse is shared storage (HDFS, S3) and the metastore a
database; here the executors share the local disk.

``running_cluster(ClusterConfig(...))`` starts it, waits until the master counts every worker
and the Thrift server accepts connections, yields the environment the ``spark`` target reads
(``RunningCluster.environment``) and stops every process on exit. The tests and ``make bench``
build on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 180.0


class SparkClusterError(RuntimeError):
    """A cluster process exited or did not become ready in time (the message has its log)."""


@dataclass(frozen=True)
class ClusterConfig:
    """What the cluster has. The defaults are the test cluster's: two one-core workers on a
    two-core machine, so every stage runs tasks in two executor processes at once."""

    work_dir: Path
    workers: int = 2
    worker_cores: int = 1
    # An executor per worker takes this much heap; the worker offers a little more.
    executor_memory: str = "1g"
    # The Thrift server is the driver: it plans, collects results and holds the metastore.
    driver_memory: str = "2g"
    # Shuffle partitions of every join and aggregate (Spark's default, 200, makes hundreds of
    # tiny tasks on the demo's 13,000 events).
    shuffle_partitions: int = 4

    @property
    def warehouse_dir(self) -> Path:
        return self.work_dir / "warehouse"

    def spark_conf(self, master_url: str) -> dict[str, str]:
        """The Thrift server's (the application's) Spark settings."""
        return {
            "spark.master": master_url,
            "spark.executor.cores": str(self.worker_cores),
            "spark.executor.memory": self.executor_memory,
            "spark.cores.max": str(self.workers * self.worker_cores),
            "spark.driver.memory": self.driver_memory,
            "spark.driver.host": HOST,
            "spark.driver.bindAddress": HOST,
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.work_dir}",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            "spark.sql.warehouse.dir": str(self.warehouse_dir),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.work_dir / 'metastore_db'};create=true"
            ),
            "spark.ui.enabled": "false",
            # before any jar of Spark's own: the Hive classes Spark 4 no longer ships
            "spark.driver.extraClassPath": str(self.hive_llap_stub_jar),
        }

    @property
    def hive_llap_stub_jar(self) -> Path:
        return self.work_dir / "hive-llap-stub.jar"


@dataclass
class RunningCluster:
    """A started cluster: where to reach it, and its processes (stopped by ``stop``)."""

    config: ClusterConfig
    master_url: str
    master_webui_port: int
    thrift_port: int
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        """The environment variables of profiles.yml's ``spark`` target for this cluster."""
        return {"BAWH_SPARK_THRIFT_HOST": HOST, "BAWH_SPARK_THRIFT_PORT": str(self.thrift_port)}

    def alive_workers(self) -> int:
        """Workers the master counts as alive (its web UI's JSON)."""
        url = f"http://{HOST}:{self.master_webui_port}/json/"
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(json.load(response)["aliveworkers"])

    def stop(self) -> None:
        """Stop every process, the Thrift server first, the master last."""
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def spark_home() -> Path:
    """The installed pyspark's directory, which is a Spark distribution (bin/, jars/)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _log_tail(path: Path, characters: int = 4000) -> str:
    return path.read_text(errors="replace")[-characters:] if path.exists() else "(no log)"


def _environment(config: ClusterConfig) -> dict[str, str]:
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        raise SparkClusterError("Spark needs Java 17: none on PATH and JAVA_HOME is not set")
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": HOST,
        # Shuffle and spill files of the workers and executors.
        "SPARK_LOCAL_DIRS": str(config.work_dir / "local"),
        # The master's and workers' own heap (Spark's default 1g each).
        "SPARK_DAEMON_MEMORY": "512m",
    }


def _start(
    cluster: RunningCluster, name: str, command: list[str], environment: dict[str, str]
) -> Path:
    log = cluster.config.work_dir / "logs" / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=environment,
            cwd=cluster.config.work_dir, start_new_session=True,
        )
    cluster.processes.append((name, process))
    return log


def _wait_until(
    cluster: RunningCluster, what: str, ready: Callable[[], bool], log: Path, deadline: float
) -> None:
    """Poll ``ready()`` until it is true; fail with the log when a process exits or time is up."""
    while True:
        for name, process in cluster.processes:
            if process.poll() is not None:
                raise SparkClusterError(
                    f"the Spark {name} exited ({process.returncode}) while waiting for {what}:\n"
                    f"{_log_tail(cluster.config.work_dir / 'logs' / f'{name}.log')}"
                )
        with contextlib.suppress(OSError, ValueError, KeyError):
            if ready():
                return
        if time.monotonic() > deadline:
            raise SparkClusterError(
                f"the Spark cluster was not ready ({what}) after {START_TIMEOUT_SECONDS:.0f} s:\n"
                f"{_log_tail(log)}"
            )
        time.sleep(0.5)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def start_cluster(config: ClusterConfig) -> RunningCluster:
    """Start the master, the workers and the Thrift server; return when all are ready."""
    for folder in ("logs", "local", "workers"):
        (config.work_dir / folder).mkdir(parents=True, exist_ok=True)
    write_hive_llap_stub_jar(config.hive_llap_stub_jar)
    environment = _environment(config)
    bin_dir = spark_home() / "bin"
    master_port = free_port()
    cluster = RunningCluster(
        config=config,
        master_url=f"spark://{HOST}:{master_port}",
        master_webui_port=free_port(),
        thrift_port=free_port(),
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        log = _start(cluster, "master", [
            str(bin_dir / "spark-class"), "org.apache.spark.deploy.master.Master",
            "--host", HOST, "--port", str(master_port),
            "--webui-port", str(cluster.master_webui_port),
        ], environment)
        _wait_until(cluster, "the master", lambda: cluster.alive_workers() == 0, log, deadline)
        for number in range(1, config.workers + 1):
            log = _start(cluster, f"worker-{number}", [
                str(bin_dir / "spark-class"), "org.apache.spark.deploy.worker.Worker",
                "--host", HOST, "--cores", str(config.worker_cores),
                # the executor's heap plus what the worker keeps for the executor JVM itself
                "--memory", f"{_megabytes(config.executor_memory) + 512}m",
                "--webui-port", str(free_port()),
                "--work-dir", str(config.work_dir / "workers"),
                cluster.master_url,
            ], environment)
        _wait_until(
            cluster, f"{config.workers} workers",
            lambda: cluster.alive_workers() == config.workers, log, deadline,
        )
        settings = [
            argument
            for key, value in config.spark_conf(cluster.master_url).items()
            for argument in ("--conf", f"{key}={value}")
        ]
        log = _start(cluster, "thrift-server", [
            str(bin_dir / "spark-submit"), "--class", THRIFT_SERVER_CLASS, *settings,
            "spark-internal",
            "--hiveconf", f"hive.server2.thrift.port={cluster.thrift_port}",
            "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
        ], environment)
        _wait_until(
            cluster, "the Thrift server", lambda: _listening(cluster.thrift_port), log, deadline
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


def write_hive_llap_stub_jar(path: Path) -> None:
    """A jar with one empty interface, Hive's ``LlapSigner$Signable``, which the Thrift server
    needs to close a session.

    Spark 4 dropped hive-llap-common from its distribution (SPARK-51029), but closing a Hive
    session can create a Hive client that registers every Hive function, and one of them,
    GenericUDTFGetSplits, does not link without that interface: the close fails
    (``NoClassDefFoundError: org/apache/hadoop/hive/llap/security/LlapSigner$Signable``) and
    dbt reports the model it had just built as failed. It happened in about one run of the
    test suite in two. Nothing calls the interface; the JVM only has to find it. A cluster of
    your own needs hive-llap-common on its Thrift server's class path instead (Spark's
    migration guide). The class file is written here, as the machine has a JRE and no
    compiler: magic, version 52 (Java 8), a constant pool of the class and java/lang/Object,
    flags public interface abstract, nothing else.
    """
    def utf8(text: str) -> bytes:
        return b"\x01" + struct.pack(">H", len(text)) + text.encode()

    name = "org/apache/hadoop/hive/llap/security/LlapSigner$Signable"
    constant_pool = b"\x07\x00\x02" + utf8(name) + b"\x07\x00\x04" + utf8("java/lang/Object")
    class_file = (
        struct.pack(">IHHH", 0xCAFEBABE, 0, 52, 5) + constant_pool
        # access flags, this class, super class; no interfaces, fields, methods, attributes
        + struct.pack(">HHHHHHH", 0x0601, 1, 3, 0, 0, 0, 0)
    )
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr(f"{name}.class", class_file)


def _megabytes(size: str) -> int:
    """A JVM memory size (``512m``, ``2g``) in megabytes."""
    units = {"m": 1, "g": 1024}
    return int(size[:-1]) * units[size[-1].lower()]


@contextlib.contextmanager
def running_cluster(config: ClusterConfig) -> Iterator[RunningCluster]:
    """A started cluster for the ``with`` block, stopped after it."""
    cluster = start_cluster(config)
    try:
        yield cluster
    finally:
        cluster.stop()
