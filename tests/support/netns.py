"""A network namespace of the test's own, joined to the root namespace by a veth pair.

The root side holds ``host_address`` (a Redis or an HTTP server the test starts can listen
there), the namespace side ``address``; a process started under ``prefix`` reaches the root
namespace only through the pair, so ``cut()`` (the namespace's end of the link down) severs it
from everything the test runs, and ``restore()`` joins it again. Names start with ``tlh`` and
carry a random suffix; the subnet is a free /30 of 10.0.0.0/8. Needs root and iproute2's
``ip``: ``unavailable()`` says why not, for a skip.
"""

from __future__ import annotations

import ipaddress
import os
import random
import shutil
import subprocess
import uuid


class NamespaceUnavailable(Exception):
    """The namespace or its link could not be made (not root, no ``ip``, refused by the kernel)."""


def unavailable() -> str | None:
    """Why no namespace can be made here, or None when one can be tried."""
    if os.geteuid() != 0:
        return "creating a network namespace needs root"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed"
    return None


class NetworkNamespace:
    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.name = f"tlh-{suffix}"
        self.host_link = f"tlhr{suffix}"  # interface names: at most 15 characters
        self.link = f"tlhn{suffix}"
        self.host_address, self.address = _free_pair()
        self.created = False

    @property
    def prefix(self) -> list[str]:
        """Put before a command's argv to run it inside the namespace."""
        return [_ip(), "netns", "exec", self.name]

    def create(self) -> NetworkNamespace:
        self.created = True  # from here on, delete() has something to clean up
        net = f"/{_PREFIX_LENGTH}"
        for step in (
            ["netns", "add", self.name],
            ["link", "add", self.host_link, "type", "veth", "peer", "name", self.link],
            ["link", "set", self.link, "netns", self.name],
            ["addr", "add", self.host_address + net, "dev", self.host_link],
            ["link", "set", self.host_link, "up"],
            ["-n", self.name, "addr", "add", self.address + net, "dev", self.link],
            ["-n", self.name, "link", "set", self.link, "up"],
            ["-n", self.name, "link", "set", "lo", "up"],
        ):
            _run(step)
        return self

    def cut(self) -> None:
        """The namespace's end of the link goes down: nothing crosses until ``restore()``."""
        _run(["-n", self.name, "link", "set", self.link, "down"])

    def restore(self) -> None:
        _run(["-n", self.name, "link", "set", self.link, "up"])

    def delete(self) -> None:
        """Remove the link and the namespace (stop the processes inside first); idempotent."""
        if not self.created:
            return
        subprocess.run([_ip(), "link", "del", self.host_link], capture_output=True, check=False)
        subprocess.run([_ip(), "netns", "del", self.name], capture_output=True, check=False)
        self.created = False


_PREFIX_LENGTH = 30


def _ip() -> str:
    found = shutil.which("ip")
    if found is None:
        raise NamespaceUnavailable("iproute2's `ip` is not installed")
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run([_ip(), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NamespaceUnavailable(f"`ip {' '.join(args)}` failed: {done.stderr.strip()}")


def _free_pair() -> tuple[str, str]:
    """Two addresses of a /30 in 10.0.0.0/8 that no route of the host's overlaps."""
    listed = subprocess.run(
        [_ip(), "-4", "route", "show", "table", "all"], capture_output=True, text=True, check=False
    ).stdout
    taken = []
    for line in listed.splitlines():
        destination = line.split()[0] if line.split() else ""
        if destination in ("local", "broadcast") and len(line.split()) > 1:
            destination = line.split()[1]
        try:
            taken.append(ipaddress.ip_network(destination, strict=False))
        except ValueError:
            continue  # "default", "unreachable", ...
    for _ in range(100):
        base = random.randrange(256 * 256 * 64) * 4
        subnet = ipaddress.ip_network(f"10.{base >> 16 & 255}.{base >> 8 & 255}.{base & 255}/30")
        if not any(subnet.overlaps(other) for other in taken):
            first, second = list(subnet.hosts())
            return str(first), str(second)
    raise NamespaceUnavailable("No free /30 was found in 10.0.0.0/8.")
