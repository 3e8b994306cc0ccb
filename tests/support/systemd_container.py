"""A real systemd for the tests of the shipped unit on a host whose PID 1 is not systemd: the
host's /lib/systemd/systemd booted as PID 1 of new PID, mount, network, UTS, IPC and cgroup
namespaces, on an overlay of the host's / whose writes land in a tmpfs that goes with them.

What a container manager such as systemd-nspawn sets up, done with util-linux: /sys and
/proc/sys read-only (only the namespace's own /proc/sys/net writable), a /dev of a few device
nodes and /dev/net/tun, a cgroup2 hierarchy rooted at a cgroup of its own, nspawn's default
capability bounding set, and `container=` in the environment so that systemd knows where it
runs. The container has fresh /tmp, /run and /dev: host directories it needs (a checkout under
/tmp) are bound in read-only, after those. Commands enter all its namespaces with nsenter. The teardown kills every process of its
cgroup (cgroup.kill), removes the cgroups, and the mounts go with the mount namespace."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.support.netns import wait_for

SYSTEMD = Path("/lib/systemd/systemd")
TOOLS = ("unshare", "nsenter", "setpriv", "pivot_root")
TARGET = "pyike-test.target"

# systemd-nspawn's default bounding set (with a private network, so CAP_NET_ADMIN): no
# CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_RAWIO, ... for a systemd sharing the host's kernel
BOUNDING_SET = (
    "-all,+audit_control,+audit_write,+chown,+dac_override,+dac_read_search,+fowner,+fsetid,"
    "+ipc_owner,+kill,+lease,+linux_immutable,+mknod,+net_admin,+net_bind_service,"
    "+net_broadcast,+net_raw,+setfcap,+setgid,+setpcap,+setuid,+sys_admin,+sys_boot,"
    "+sys_chroot,+sys_nice,+sys_ptrace,+sys_resource,+sys_tty_config"
)

# Run by unshare as PID 1 of the new namespaces, with $1 the work directory: the overlay (its
# writable layer a tmpfs, so no layer lies inside another), the kernel file systems, then
# pivot_root and exec systemd with the bounding set $2, booting into unit $3 written from $4;
# the arguments after those are pairs: a host directory, where the container sees it read-only.
BOOT = r"""
set -eu
layers=$1/layers root=$1/root bounding=$2 target=$3
mount -t tmpfs -o mode=0700 tmpfs "$layers"
mkdir -p "$layers/upper/etc/systemd/system" "$layers/work"
printf %s "$4" > "$layers/upper/etc/systemd/system/$target"
mount -t overlay overlay -o lowerdir=/,upperdir="$layers/upper",workdir="$layers/work" "$root"
mount -t proc proc "$root/proc"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount --bind "$root/proc/sys/net" "$root/proc/sys/net"
mount -o remount,bind,ro "$root/proc/sys"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
mount -t tmpfs -o mode=0755 tmpfs "$root/dev"
mkdir "$root/dev/net" "$root/dev/pts" "$root/dev/shm"
for node in null zero full random urandom tty net/tun; do
  touch "$root/dev/$node" && mount --bind "/dev/$node" "$root/dev/$node"
done
touch "$root/dev/console" && mount --bind /dev/null "$root/dev/console"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
shift 4
while [ $# -gt 0 ]; do
  mkdir -p "$root$2" && mount --bind "$1" "$root$2" && mount -o remount,bind,ro "$root$2"
  shift 2
done
cd "$root" && mkdir .old-root && pivot_root . .old-root && umount -l /.old-root
rmdir /.old-root
exec env -i container=pyike-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  setpriv --bounding-set "$bounding" /lib/systemd/systemd --unit="$target" --log-target=journal
"""

# What the container boots into: the system initialisation every service depends on
TARGET_UNIT = """[Unit]
Description=pyike tests: sysinit, then nothing else
Requires=sysinit.target
After=sysinit.target
"""


def unavailable() -> str | None:
    """Why a systemd cannot be booted here, or None."""
    if os.geteuid() != 0:
        return "booting a systemd in namespaces needs root"
    if not SYSTEMD.exists():
        return f"needs systemd ({SYSTEMD}, Debian package systemd)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)} (util-linux)"
    if "overlay" not in Path("/proc/filesystems").read_text():
        return "needs overlayfs"
    if cgroup2_mount() is None:
        return "needs a cgroup2 hierarchy mounted on the host"
    return None


def cgroup2_mount() -> Path | None:
    """Where the host mounts its cgroup2 hierarchy (/sys/fs/cgroup, or /sys/fs/cgroup/unified
    beside cgroup v1), or None."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        if fields[separator + 1] == "cgroup2":
            return Path(fields[4])
    return None


def own_cgroup() -> Path:
    """This process's cgroup2 directory on the host."""
    mount = cgroup2_mount()
    assert mount is not None
    line = next(x for x in Path("/proc/self/cgroup").read_text().splitlines() if x[:3] == "0::")
    return mount / line[3:].lstrip("/")


class SystemdContainer:
    """One booted systemd: `run` a command inside, `systemctl`, `show` a unit's properties,
    read the `journal`."""

    def __init__(self, binds: Mapping[str, Path]) -> None:
        self.binds = binds  # path in the container -> host directory
        self.base = Path(tempfile.mkdtemp(prefix="pyike-systemd-"))
        self.cgroup = own_cgroup() / f"pyike-systemd-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen[bytes] | None = None
        self.pid = 0  # systemd's pid on the host

    def boot(self, timeout: float) -> None:
        """Start systemd and wait until `systemctl is-system-running` says running."""
        (self.base / "layers").mkdir()
        (self.base / "root").mkdir()
        self.cgroup.mkdir()
        unshare = ["unshare", "--cgroup", "--pid", "--fork", "--kill-child", "--mount", "--net"]
        unshare += ["--uts", "--ipc", "--propagation", "private", "sh", "-c", BOOT, "boot"]
        # the shell joins the new cgroup before unshare makes it the namespace's root
        outer = 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"'
        argv = ["sh", "-c", outer, "join", str(self.cgroup), *unshare]
        argv += [str(self.base), BOUNDING_SET, TARGET, TARGET_UNIT]
        argv += [arg for target, source in self.binds.items() for arg in (str(source), target)]
        with (self.base / "console.log").open("wb") as console:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
            )
        self.pid = self._wait_for_pid1(timeout)
        self._wait_running(timeout)

    def _wait_for_pid1(self, timeout: float) -> int:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(FileNotFoundError):
                pids = children.read_text().split()
                if pids and Path(f"/proc/{pids[0]}/comm").read_text().strip() == "systemd":
                    return int(pids[0])
            time.sleep(0.1)
        raise AssertionError(f"systemd did not start: {self.console()}")

    def _wait_running(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            done = self.run("systemctl", "is-system-running", "--wait", check=False)
            state = done.stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.2)
        raise AssertionError(f"systemd is {state!r}, not running: {self.console()}")

    def console(self) -> str:
        return (self.base / "console.log").read_text(errors="replace")

    def run(
        self, *argv: str, check: bool = True, input: str | None = None, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        """`argv` in every namespace of the container, as root (`check`: exits 0, or the
        test fails with what it wrote on stderr)."""
        done = subprocess.run(
            ["nsenter", "--target", str(self.pid), "--all", *argv],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr}")
        return done

    def systemctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("systemctl", *args, check=check, timeout=60)

    def show(self, unit: str, *properties: str) -> dict[str, str]:
        text = self.systemctl("show", unit, *(f"--property={p}" for p in properties)).stdout
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def journal(self, unit: str) -> list[str]:
        """The messages of `unit` and of systemd about it, oldest first."""
        done = self.run("journalctl", "--unit", unit, "--output=cat", "--no-pager")
        return done.stdout.splitlines()

    def write(self, path: str, text: str, mode: str, owner: str) -> None:
        script = 'cat > "$1" && chown "$2" "$1" && chmod "$3" "$1"'
        self.run("sh", "-c", script, "write", path, owner, mode, input=text)

    def close(self) -> None:
        """Every process of the container killed, its cgroups and files removed."""
        try:
            kill = self.cgroup / "cgroup.kill"
            if kill.exists():
                kill.write_text("1")
            if self.process is not None:  # --kill-child: systemd, so its namespace, goes too
                self.process.kill()
                self.process.wait(30)
            if self.pid:
                wait_for(lambda: _ended(self.pid), 30, f"systemd (pid {self.pid}) to end")
        finally:
            self._remove_cgroups()
            shutil.rmtree(self.base, ignore_errors=True)

    def _remove_cgroups(self) -> None:
        deadline = time.monotonic() + 30
        while self.cgroup.exists() and time.monotonic() < deadline:
            for directory, _subdirs, _files in os.walk(self.cgroup, topdown=False):
                with contextlib.suppress(OSError):  # busy until its last process is reaped
                    os.rmdir(directory)
            if self.cgroup.exists():
                time.sleep(0.1)


def _ended(pid: int) -> bool:
    """Whether `pid` has exited (a zombie waiting for the host's init to reap it counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@contextlib.contextmanager
def systemd_container(
    binds: Mapping[str, Path] | None = None, timeout: float = 60
) -> Iterator[SystemdContainer]:
    """A booted systemd, seeing `binds` (path in the container -> host directory, read-only),
    torn down at the end whatever happened."""
    container = SystemdContainer(binds or {})
    try:
        container.boot(timeout)
        yield container
    finally:
        container.close()
