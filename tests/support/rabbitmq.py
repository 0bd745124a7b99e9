"""A RabbitMQ node of the test's own, which it may kill and restart (the machine's is shared).

It runs Debian's ``rabbitmq-server`` as a second Erlang node (its own node name, AMQP and
distribution ports, data and log folders), so a test can SIGKILL the broker under load and
start it again on the same data, as a crash and a restart would.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from tests.support.processes import Managed
from tlhooks.processes import free_port, wait_until

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def rabbitmq_installed() -> bool:
    """Whether this machine can start a RabbitMQ node of its own."""
    return SERVER.exists() and shutil.which("erl") is not None


class RabbitMQNode:
    """A private RabbitMQ node on loopback: ``start``, ``kill`` (SIGKILL) and ``start`` again."""

    def __init__(self, work_dir: Path, log_dir: Path) -> None:
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"tlhooks-test-{self.port}@localhost"
        self.work_dir = work_dir
        self.log_dir = log_dir
        self.process: Managed | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout: float = 90.0) -> RabbitMQNode:
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(Path.home()),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.work_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.work_dir / "log"),
            "RABBITMQ_PID_FILE": str(self.work_dir / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.work_dir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.work_dir / "rabbitmq"),  # none: the defaults
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.process = Managed("rabbitmq", [str(SERVER)], env, self.log_dir).start()
        wait_until(self._answers, timeout=timeout, interval=0.2)
        return self

    def _answers(self) -> bool:
        if self.process is None or not self.process.alive():
            log = self.process.log if self.process is not None else ""
            raise AssertionError(f"rabbitmq-server exited:\n{log[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            return False
        return True

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def kill(self) -> None:
        """SIGKILL the node (the whole process group: the Erlang VM and its helpers)."""
        if self.process is not None:
            self.process.kill()
            # the node leaves epmd when its VM dies; give the port a moment to close
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self._port_open():
                time.sleep(0.1)

    def _port_open(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True
