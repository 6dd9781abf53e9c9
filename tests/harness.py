"""Test harness: a real redis-server on a free port and the real daemons, on free ports.

Every integration and end-to-end test uses this module. Nothing is mocked: the daemons are
the binaries from the build directory (IMVO_BUILD_DIR, default ../build), Redis is Debian's
redis-server with AOF on and appendfsync always, in a temporary directory.

    with System(["complaints", "notify"]) as sys:
        reply = sys.call("complaints", "complaint.submit", {...}, key="k1")
        assert reply["ok"], reply

call() returns the decoded reply envelope (a dict). Hostile tests use send_raw().
"""
import atexit
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import msgpack
import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("IMVO_SOURCE_DIR", os.path.dirname(HERE))
BUILD_DIR = os.environ.get("IMVO_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
SERVICES = ["membership", "complaints", "scoring", "notify"]
_CTX = zmq.Context.instance()


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


def daemon_path(name):
    return os.path.join(BUILD_DIR, "services", name, "imvo-" + name)


def imvoctl_path():
    return os.path.join(BUILD_DIR, "services", "imvoctl", "imvoctl")


class Redis:
    """A redis-server of our own, restartable on the same port and data directory."""

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
                if self.cli("PING").strip() == "PONG":
                    if self.cluster:
                        self._own_all_slots()
                    return
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start on port %d" % self.port)

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


# The password of each daemon's Redis user in the tests.
USER_PASSWORD = "test-%s-pw"


def zpl_keys(path):
    """The (public, secret) Z85 keys of a czmq certificate file (secret None in a public one)."""
    with open(path) as f:
        text = f.read()
    public = re.search(r'public-key = "(.{40})"', text).group(1).encode()
    secret = re.search(r'secret-key = "(.{40})"', text)
    return public, secret.group(1).encode() if secret else None


class System:
    """Redis plus the named daemons, each on free ports, torn down on exit."""

    def __init__(self, services=SERVICES, env=None, password=None, cluster=None, curve=False):
        # complaints checks respondents against the members it reads from membership: a
        # system with complaints runs membership too, started first.
        services = list(services)
        if "complaints" in services and "membership" not in services:
            services.insert(0, "membership")
        self.services = services
        self.respondent = None
        self.workdir = tempfile.mkdtemp(prefix="imvo-test-")
        if cluster is None:
            cluster = os.environ.get("IMVO_TEST_CLUSTER") == "1"
        self.redis = Redis(self.workdir, password, cluster)
        self.ports = {s: (free_port(), free_port()) for s in SERVICES}
        self.procs = {}
        self.extra_env = env or {}
        # Most tests speak to the daemons as a client of PROTOCOL.md without CURVE (the
        # envelope's actor is trusted); curve=True runs them as the README does, with
        # certificates: the daemons' (role service) and an administrator's (secretariat).
        self.curve = curve
        if curve:
            self.certs = os.path.join(self.workdir, "certs")
            os.makedirs(os.path.join(self.certs, "clients"))
            for name, role in (("daemon", "service"), ("admin", "secretariat")):
                self.cert(name, role)
            with open(os.path.join(self.certs, "receipt.key"), "w") as f:
                f.write(os.urandom(32).hex())

    def cert(self, name, role, org=""):
        """A new certificate, allowed in (its public part in the daemons' IMVO_CERT_DIR).
        Returns the path of its secret file."""
        args = [imvoctl_path(), "cert", "new", "--role", role, "--out", self.certs, "--name", name]
        if org:
            args += ["--org", org]
        subprocess.run(args, check=True, capture_output=True)
        shutil.copy(os.path.join(self.certs, name + ".txt"), os.path.join(self.certs, "clients"))
        return os.path.join(self.certs, name + ".txt_secret")

    def env(self):
        env = dict(os.environ)
        env["IMVO_REDIS_URL"] = self.redis.url
        for s, (req, ev) in self.ports.items():
            up = s.upper()
            env["IMVO_%s_BIND" % up] = "tcp://127.0.0.1:%d" % req
            env["IMVO_%s_EVENTS_BIND" % up] = "tcp://127.0.0.1:%d" % ev
            env["IMVO_%s_ENDPOINT" % up] = "tcp://127.0.0.1:%d" % req
            env["IMVO_%s_EVENTS_ENDPOINT" % up] = "tcp://127.0.0.1:%d" % ev
        env["IMVO_CONSUMER_NAME"] = "test-consumer"
        if self.curve:
            env.update({"IMVO_CURVE": "on", "IMVO_CERT": os.path.join(self.certs, "daemon.txt_secret"),
                        "IMVO_CERT_DIR": os.path.join(self.certs, "clients"),
                        "IMVO_SERVER_CERT": os.path.join(self.certs, "daemon.txt"),
                        "IMVO_RECEIPT_KEY_FILE": os.path.join(self.certs, "receipt.key")})
        else:
            env["IMVO_CURVE"] = "off"
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        env.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" % os.path.join(HERE, "lsan.supp"))
        env.update(self.extra_env)
        return env

    def __enter__(self):
        if self.redis.cluster and not self.redis.password and not self.redis.proc:
            spare = _spare_redis()
            if spare and spare.proc.poll() is None:
                self.spare_dir = spare.workdir
                self.redis = spare
        self.redis.start()
        for s in self.services:
            self.start(s)
        if "complaints" in self.services:
            # A company that complaints can be filed against in every covenant that takes
            # members, as a real client would have: registered and joined via membership.
            self.respondent = self.company("Respondent Brand BV")
        return self

    def company(self, name, covenants=None):
        """Registers a company, makes it a supporter of the covenants (default: every one
        that takes members) and waits until complaints has heard of it. Returns its org_id."""
        org = self.ok("membership", "org.register", {"name": name, "kind": "company", "country": "NL"},
                      actor={"role": "secretariat"})["org_id"]
        if covenants is None:
            covenants = [c["code"] for c in self.ok("membership", "covenant.list", {})["covenants"]
                         if c["status"] != "ended"]
        for c in covenants:
            self.ok("membership", "member.join", {"covenant": c, "org_id": org, "role": "supporter"},
                    actor={"role": "secretariat"})
        if "complaints" in self.procs:
            for c in covenants:
                key = "imvo:complaints:{%s}:members" % c
                assert self.wait_for(lambda: self.redis.cli("HEXISTS", key, org).strip() == "1"), \
                    "complaints did not hear that %s joined %s" % (org, c)
        return org

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for s in list(self.procs):
            self.stop(s)
        self.redis.stop()
        if getattr(self, "spare_dir", None):
            shutil.rmtree(self.spare_dir, ignore_errors=True)
        # A sanitizer build reports into the daemons' logs: any report fails the test.
        reports = []
        for name in SERVICES:
            text = self.log(name)
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    at = text.rfind("\n", 0, text.index(marker)) + 1
                    reports.append("%s: %s" % (name, text[at:][:3000]))
        shutil.rmtree(self.workdir, ignore_errors=True)
        if reports:
            raise AssertionError("sanitizer report:\n" + "\n".join(reports))

    def daemon_env(self, name):
        """The environment of one daemon: connected to Redis as its own user
        (deploy/redis/users.acl), unless the test runs Redis with a password of its own."""
        env = self.env()
        if not self.redis.password and "IMVO_REDIS_URL" not in self.extra_env:
            env["IMVO_REDIS_URL"] = "redis://%s:%s@127.0.0.1:%d/0" % (name, USER_PASSWORD % name, self.redis.port)
        return env

    def start(self, name, wait=True):
        with open(os.path.join(self.workdir, name + ".log"), "ab") as log:
            # From a directory of their own, as an outside user starts them: the daemons
            # need no files beside them (seed data and scripts are built in).
            self.procs[name] = subprocess.Popen([daemon_path(name)], env=self.daemon_env(name), cwd=self.workdir,
                                                stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(name)

    def wait_ready(self, name, timeout=15, retry=True):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.call(name, "ping", {}, timeout=300, attempts=1)
            if r and r.get("ok") and r["body"].get("service") == name:
                return r
            if self.procs[name].poll() is not None:
                if "Address already in use" in self.log(name) and retry:
                    # Another test took a port between our check and the bind: new ports
                    # (daemons started before this one do not depend on it).
                    self.ports[name] = (free_port(), free_port())
                    os.unlink(os.path.join(self.workdir, name + ".log"))
                    self.start(name, wait=False)
                    return self.wait_ready(name, timeout, retry=False)
                raise RuntimeError("%s exited with %s:\n%s" % (name, self.procs[name].returncode, self.log(name)))
        raise RuntimeError("%s did not answer ping:\n%s" % (name, self.log(name)))

    def stop(self, name, sig=signal.SIGTERM, timeout=15):
        p = self.procs.pop(name, None)
        if p is None:
            return None
        p.send_signal(sig)
        return p.wait(timeout)

    def kill(self, name):
        return self.stop(name, signal.SIGKILL)

    def log(self, name):
        try:
            with open(os.path.join(self.workdir, name + ".log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def endpoint(self, name):
        return "tcp://127.0.0.1:%d" % self.ports[name][0]

    def events_endpoint(self, name):
        return "tcp://127.0.0.1:%d" % self.ports[name][1]

    def send_raw(self, name, frames, timeout=3000, req=False, cert=None):
        """Sends raw frames (bytes or list of bytes); returns the decoded reply or None. With
        CURVE the client uses cert (a secret certificate file; default the administrator's)."""
        sock = _CTX.socket(zmq.REQ if req else zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        if self.curve:
            cert = cert or os.path.join(self.certs, "admin.txt_secret")
            sock.curve_publickey, sock.curve_secretkey = zpl_keys(cert)
            sock.curve_serverkey = zpl_keys(os.path.join(self.certs, "daemon.txt"))[0]
        sock.connect(self.endpoint(name))
        try:
            sock.send_multipart(frames if isinstance(frames, list) else [frames])
            if not sock.poll(timeout):
                return None
            parts = sock.recv_multipart()
            return msgpack.unpackb(parts[-1], raw=False)
        finally:
            sock.close()

    def call(self, name, mtype, body, key=None, actor=None, timeout=15000, attempts=1, cert=None):
        """One request; returns the reply envelope (dict), or None on timeout. The actor is
        the secretariat unless given; actor=False sends none."""
        req = {"v": 1, "id": uuid.uuid4().hex, "type": mtype, "body": body}
        if key is not None:
            req["key"] = key
        if actor is None:
            actor = {"role": "secretariat"}
        if actor is not False:
            req["actor"] = actor
        for _ in range(attempts):
            reply = self.send_raw(name, msgpack.packb(req), timeout, cert=cert)
            if reply is not None:
                return reply
        return None

    def ok(self, name, mtype, body, **kw):
        """call() that must succeed; returns the reply body."""
        r = self.call(name, mtype, body, **kw)
        assert r is not None, "no reply to %s" % mtype
        assert r.get("ok"), "%s failed: %r" % (mtype, r)
        return r["body"]

    def imvoctl(self, *args, check=False, timeout=30):
        return subprocess.run([imvoctl_path()] + [str(a) for a in args], env=self.env(),
                              capture_output=True, text=True, timeout=timeout, check=check)

    def drained(self, group, source="complaints"):
        """True when the consumer group has read every entry of every stream of source and
        acknowledged them all (XINFO GROUPS: lag 0, pending 0)."""
        streams = self.redis.cli("SMEMBERS", "imvo:%s:streams" % source).split()
        for stream in streams:
            info = self.redis.cli("XINFO", "GROUPS", stream).split("\n")
            if group not in info:
                return False
            fields = dict(zip(info[0::2], info[1::2]))
            if fields.get("pending") != "0" or fields.get("lag") != "0":
                return False
        return bool(streams)

    def wait_for(self, predicate, timeout=15, interval=0.05):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        return predicate()
