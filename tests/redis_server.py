"""A redis-server of a test's own (Redis), on a port from free_port(), restartable on its port and
data directory, alone or as a one-node Redis Cluster; the spare cluster nodes started ahead of
the tests that take them; and the password of each daemon's Redis user in this test process.
harness.System starts one for every test (tests import these from harness)."""
import atexit
import json
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

SOURCE_DIR = os.environ.get("IMVO_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_HANDED_OUT = set()


def free_port():
    """A free port outside the kernel's ephemeral range (32768-60999), where the ports the
    kernel hands out to connections and to other tests' port-0 binds cannot collide with it;
    never the same one twice in this process."""
    while True:
        port = random.randrange(20000, 32000)
        if port in _HANDED_OUT:
            continue
        _HANDED_OUT.add(port)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


class Redis:
    """A redis-server of our own, restartable on the same port and data directory.

    Redis cannot report a port it picked (--port 0 turns TCP off) and the daemons' Redis URL
    has no unix sockets, so it gets a port from free_port(), outside the kernel's ephemeral
    range where the daemons' port-* binds land; should another process hold it at the first
    start, redis-server says so and the next free port is taken: no test fails for it."""

    def spawn(self):
        """Starts the server without waiting for it."""
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--appendonly", "yes", "--appendfsync", "always",
                "--save", "", "--daemonize", "no"]
        # The daemons' users (deploy/redis/users.acl) with the tests' passwords, in an ACL file
        # as a deployment has them: they survive a restart. The default user is the tests' own.
        aclfile = os.path.join(self.dir, "users.acl")
        with open(aclfile, "w") as out:
            out.write("user default on %s ~* &* +@all\n" % (">" + self.password if self.password else "nopass"))
            for name in ("users.acl", "intake.acl"):        # the daemons' users, and intake producers'
                with open(os.path.join(SOURCE_DIR, "deploy", "redis", name)) as src:
                    for line in src:
                        if line.startswith("user "):
                            out.write("%s >%s\n" % (line.strip(), USER_PASSWORD % line.split()[1]))
        args += ["--aclfile", aclfile]
        if self.cluster:
            # A one-node Redis Cluster: it refuses cross-slot commands and scripts as a
            # multi-node one would, and needs no cluster-aware client.
            # A node with no slots counts itself in the minority, and waits the rejoin delay
            # (the node timeout, 0.5 s at least) after it gets them: keep that short.
            args += ["--cluster-enabled", "yes", "--cluster-config-file", os.path.join(self.dir, "nodes.conf"),
                     "--cluster-port", str(self.bus_port), "--cluster-node-timeout", "500"]
        with open(self.logpath, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)

    def __init__(self, workdir, password=None, cluster=False):
        self.cluster = cluster
        self.port = free_port()
        self.bus_port = free_port() if cluster else 0
        self.dir = os.path.join(workdir, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.password = password
        self.proc = None
        self.logpath = os.path.join(workdir, "redis.log")

    @property
    def url(self):
        auth = ":%s@" % self.password if self.password else ""
        return "redis://%s127.0.0.1:%d/0" % (auth, self.port)

    def start(self):
        """Starts the server (unless a spare was handed over running) and waits for it."""
        if not self.proc or self.proc.poll() is not None:
            self.spawn()
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                # Ours, not another test's server that holds the port (ours then exits).
                if self._pid() == self.proc.pid:
                    if self.cluster:
                        self._own_all_slots()
                    self.started = True
                    return
            except subprocess.CalledProcessError:
                pass
            if self.proc.poll() is not None and self._port_taken():
                if getattr(self, "started", False):
                    raise RuntimeError("redis-server cannot start again: port %d was taken meanwhile" % self.port)
                # Its first start, and another process held the port: the next one.
                self.port = free_port()
                if self.cluster:
                    self.bus_port = free_port()
                self.spawn()
                continue
            time.sleep(0.01)
        raise RuntimeError("redis-server did not start on port %d" % self.port)

    def _pid(self):
        """The process id of the server answering on our port, or None."""
        m = re.search(r"process_id:(\d+)", self.cli("INFO", "server"))
        return int(m.group(1)) if m else None

    def _port_taken(self):
        try:
            with open(self.logpath, errors="replace") as f:
                text = f.read()
        except OSError:
            return False
        taken = "Address already in use" in text
        if taken:       # the next start reads only its own lines
            os.unlink(self.logpath)
        return taken

    def _own_all_slots(self):
        if "cluster_state:ok" in self.cli("CLUSTER", "INFO"):
            return
        self.cli("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        deadline = time.time() + 10
        while "cluster_state:ok" not in self.cli("CLUSTER", "INFO") and time.time() < deadline:
            time.sleep(0.05)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def cli(self, *args):
        cmd = ["redis-cli", "-p", str(self.port)]
        if self.password:
            cmd += ["-a", self.password, "--no-auth-warning"]
        return subprocess.run(cmd + [str(a) for a in args], check=True,
                              capture_output=True, text=True, errors="replace", timeout=10).stdout


    def pipe(self, commands):
        """Runs many commands through one redis-cli (its --pipe mode), in order."""
        def resp(words):
            parts = [b"*%d\r\n" % len(words)]
            for w in words:
                b = w.encode() if isinstance(w, str) else w
                parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
            return b"".join(parts)
        cmd = ["redis-cli", "-p", str(self.port), "--pipe"]
        if self.password:
            cmd += ["-a", self.password, "--no-auth-warning"]
        out = subprocess.run(cmd, input=b"".join(resp(c) for c in commands), check=True, capture_output=True,
                             timeout=30).stdout
        assert b"errors: 0" in out, out

    def slowlog(self):
        """The SLOWLOG entries as (microseconds, command words), longest first."""
        cmd = ["redis-cli", "-p", str(self.port), "--quoted-json", "-2"]
        if self.password:
            cmd += ["-a", self.password, "--no-auth-warning"]
        out = subprocess.run(cmd + ["SLOWLOG", "GET", "1000"], check=True, capture_output=True, text=True,
                             timeout=10).stdout
        return sorted(((e[2], e[3]) for e in json.loads(out)), reverse=True)


# A cluster node takes writes only 2 s after it started (Redis's CLUSTER_WRITABLE_DELAY): a
# spare node is started in advance while each cluster test runs, and the next one takes it.
_SPARE = []


def _spare_redis():
    """A running cluster node started by an earlier test, or None; starts the next one."""
    spare = _SPARE.pop() if _SPARE else None
    workdir = tempfile.mkdtemp(prefix="imvo-spare-")
    nxt = Redis(workdir, None, True)
    nxt.spawn()
    nxt.workdir = workdir
    _SPARE.append(nxt)
    return spare


@atexit.register
def _stop_spares():
    for r in _SPARE:
        r.stop()
        shutil.rmtree(r.workdir, ignore_errors=True)
    _SPARE.clear()


# The password of each daemon's Redis user in the tests: its own in every test process, so
# that a daemon of another test run (say one whose Redis was killed, on the port ours got
# since) cannot log in to ours and write into it.
USER_PASSWORD = "test-%%s-pw-%s" % uuid.uuid4().hex[:12]
