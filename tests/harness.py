"""Test harness: a real redis-server on a free port and the real daemons, on ports the kernel picks.

Every integration and end-to-end test uses this module. Nothing is mocked: the daemons are
the binaries from the build directory (IMVO_BUILD_DIR, default ../build), Redis is Debian's
redis-server with AOF on and appendfsync always, in a temporary directory.

The daemons bind tcp://127.0.0.1:* and write the endpoints they got to their IMVO_READY_FILE
(<workdir>/<name>.ready); every client, the daemons' own calls to each other included, names a
daemon as IMVO_<NAME>_ENDPOINT=@<that file>, read when it connects. No port is picked in advance
for a daemon, so no bind can race; a daemon started again gets new ports, and the others find
them at their next connection.

    with System(["complaints", "notify"]) as sys:
        reply = sys.call("complaints", "complaint.submit", {...}, key="k1")
        assert reply["ok"], reply

call() returns the decoded reply envelope (a dict). Hostile tests use send_raw().
"""
import faulthandler
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import msgpack
import zmq

from credentials import totp, zpl_keys  # noqa: F401 (tests import them from here)
from redis_server import USER_PASSWORD, Redis, _spare_redis, free_port  # noqa: F401 (tests import them from here)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("IMVO_SOURCE_DIR", os.path.dirname(HERE))
BUILD_DIR = os.environ.get("IMVO_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
SERVICES = ["membership", "complaints", "scoring", "notify"]
_CTX = zmq.Context.instance()
# A test that hangs is stopped by ctest after its TIMEOUT with no word of where it waited:
# every thread's stack goes to stderr (which ctest shows) after 5 minutes (TIMEOUT is 10; the
# longest test takes under one; a benchmark that runs longer only prints them).
faulthandler.dump_traceback_later(300)


def daemon_path(name):
    return os.path.join(BUILD_DIR, "services", name, "imvo-" + name)


def imvoctl_path():
    return os.path.join(BUILD_DIR, "services", "imvoctl", "imvoctl")


class System:
    """Redis plus the named daemons, each on the ports it got (port *), torn down on exit.

    A test class shares one with setUpClass/tearDownClass where its tests do not interfere
    (each uses ids and keys of its own); a test that stops, kills or restarts a daemon or
    Redis, or needs an environment of its own, starts its own."""

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
        self.ports = {}                 # name -> (requests port, events port), as reported
        self.procs = {}
        self.extra_env = env or {}
        # Most tests speak to the daemons as a client of the protocol (proto/README.md) without CURVE (the
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
            # The complainant's data at rest: complaints' key, and its public half for the portal.
            data_key = os.path.join(self.certs, "data.key")
            subprocess.run([imvoctl_path(), "key", "new", data_key], check=True)
            with open(os.path.join(self.certs, "data.pub"), "w") as f:
                f.write(subprocess.run([imvoctl_path(), "key", "public", data_key], check=True,
                                       capture_output=True, text=True).stdout)

    def cert(self, name, role, org=""):
        """A new certificate, allowed in (its public part in the daemons' IMVO_CERT_DIR).
        Returns the path of its secret file. A name already made gives the same certificate:
        czmq's zauth rereads the directory only when its count, size or newest mtime (in whole
        seconds) changes, so a key replaced under the same name within a second would go
        unseen and its every handshake be refused (a portal's first sign-in got no reply)."""
        made = getattr(self, "_certs_made", {})
        self._certs_made = made
        if name in made:
            assert made[name] == (role, org), "certificate %s was made for %s" % (name, made[name])
            return os.path.join(self.certs, name + ".txt_secret")
        made[name] = (role, org)
        args = [imvoctl_path(), "cert", "new", "--role", role, "--out", self.certs, "--name", name]
        if org:
            args += ["--org", org]
        subprocess.run(args, check=True, capture_output=True)
        shutil.copy(os.path.join(self.certs, name + ".txt"), os.path.join(self.certs, "clients"))
        return os.path.join(self.certs, name + ".txt_secret")

    def env(self):
        env = dict(os.environ)
        env["IMVO_REDIS_URL"] = self.redis.url
        for s in SERVICES:
            up = s.upper()
            env["IMVO_%s_BIND" % up] = "tcp://127.0.0.1:*"
            env["IMVO_%s_EVENTS_BIND" % up] = "tcp://127.0.0.1:*"
            env["IMVO_%s_ENDPOINT" % up] = "@" + self.ready_file(s)
            env["IMVO_%s_EVENTS_ENDPOINT" % up] = "@" + self.ready_file(s)
        env.pop("IMVO_READY_FILE", None)
        env["IMVO_CONSUMER_NAME"] = "test-consumer"
        if self.curve:
            env.update({"IMVO_CURVE": "on", "IMVO_CERT": os.path.join(self.certs, "daemon.txt_secret"),
                        "IMVO_CERT_DIR": os.path.join(self.certs, "clients"),
                        "IMVO_SERVER_CERT": os.path.join(self.certs, "daemon.txt"),
                        "IMVO_RECEIPT_KEY_FILE": os.path.join(self.certs, "receipt.key"),
                        "IMVO_DATA_KEY_FILE": os.path.join(self.certs, "data.key"),            # complaints
                        "IMVO_DATA_PUBLIC_KEY_FILE": os.path.join(self.certs, "data.pub")})    # the portal
        else:
            env["IMVO_CURVE"] = "off"
        # Argon2id at its smallest cost (1 pass over 8 MiB) for new hashes: the tests sign in
        # hundreds of times, and the code path is the same; bench_console measures the real cost.
        env.setdefault("IMVO_ARGON2_OPSLIMIT", "1")
        env.setdefault("IMVO_ARGON2_MEMLIMIT_KIB", "8192")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        env.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" % os.path.join(HERE, "lsan.supp"))
        env.update(self.extra_env)
        return env

    def __enter__(self):
        if os.environ.get("IMVO_TEST_COUNT_FILE"):
            # Counts the systems the suite starts (one line each): how much it repeats itself.
            with open(os.environ["IMVO_TEST_COUNT_FILE"], "a") as f:
                f.write("%s %s %s\n" % (os.environ.get("IMVO_TEST_CLUSTER", "0"), sys.argv[-1], ",".join(self.services)))
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
        # Every daemon asked to stop at once; one in a blocking read (XREADGROUP ... BLOCK, up
        # to 1 s: complaints took 0.9 s to stop) has it ended by CLIENT UNBLOCK, as if it timed
        # out, and sees it is asked to stop (some 1.1 s less a System: hundreds in the suite).
        for p in self.procs.values():
            p.send_signal(signal.SIGTERM)
        deadline, unblock = time.time() + 15, self.redis.proc and self.redis.proc.poll() is None
        while unblock and any(p.poll() is None for p in self.procs.values()) and time.time() < deadline:
            time.sleep(0.03)            # a redis-cli costs 3 ms of CPU: a look every 0.1 s at most
            try:
                blocked = re.findall(r"id=(\d+) .*? flags=\S*b", self.redis.cli("CLIENT", "LIST"))
                if blocked:
                    self.redis.pipe([["CLIENT", "UNBLOCK", i] for i in blocked])
            except (subprocess.SubprocessError, AssertionError):
                unblock = False
            for _ in range(7):
                if all(p.poll() is not None for p in self.procs.values()):
                    break
                time.sleep(0.01)
        for s in list(self.procs):
            self.stop(s)
        self.redis.stop()
        if getattr(self, "spare_dir", None):
            shutil.rmtree(self.spare_dir, ignore_errors=True)
        # A sanitizer build reports into the logs of the daemons and of the portals a test ran
        # (every *.log in the work directory): any report fails the test.
        reports = []
        for path in sorted(glob.glob(os.path.join(self.workdir, "*.log"))):
            name = os.path.basename(path)[:-4]
            with open(path, errors="replace") as f:
                text = f.read()
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

    def ready_file(self, name):
        """Where the daemon writes the endpoints it bound (IMVO_READY_FILE)."""
        return os.path.join(self.workdir, name + ".ready")

    def start(self, name, wait=True):
        try:
            os.unlink(self.ready_file(name))    # the last run's ports are gone with it
        except FileNotFoundError:
            pass
        self.ports.pop(name, None)
        env = self.daemon_env(name)
        env["IMVO_READY_FILE"] = self.ready_file(name)
        with open(os.path.join(self.workdir, name + ".log"), "ab") as log:
            # From a directory of their own, as an outside user starts them: the daemons
            # need no files beside them (seed data and scripts are built in).
            self.procs[name] = subprocess.Popen([daemon_path(name)], env=env, cwd=self.workdir,
                                                stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(name)

    def bound(self, name):
        """The (requests, events) ports the daemon reported, or None before it bound them."""
        if name not in self.ports:
            try:
                with open(self.ready_file(name)) as f:
                    lines = dict(line.split(" ", 1) for line in f.read().splitlines() if " " in line)
            except FileNotFoundError:
                return None
            self.ports[name] = tuple(int(lines[k].rsplit(":", 1)[1]) for k in ("requests", "events"))
        return self.ports[name]

    def wait_ready(self, name, timeout=15, retry=None):
        """Waits until the daemon reported its ports and answers ping (it waits for Redis
        first, so this waits as long as Redis is down)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.bound(name):
                r = self.call(name, "ping", {}, timeout=max(100, int((deadline - time.time()) * 1000)))
                if r and r.get("ok") and r["body"].get("service") == name:
                    return r
            if self.procs[name].poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (name, self.procs[name].returncode, self.log(name)))
            time.sleep(0.005)
        raise RuntimeError("%s did not answer ping:\n%s" % (name, self.log(name)))

    def stop(self, name, sig=signal.SIGTERM, timeout=15):
        p = self.procs.pop(name, None)
        self.ports.pop(name, None)
        if p is None:
            return None
        p.send_signal(sig)
        code = p.wait(timeout)
        try:
            os.unlink(self.ready_file(name))    # its ports are no longer its own
        except FileNotFoundError:
            pass
        return code

    def kill(self, name):
        return self.stop(name, signal.SIGKILL)

    def log(self, name):
        try:
            with open(os.path.join(self.workdir, name + ".log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def endpoint(self, name):
        """Where the daemon listens; while it is not running, an address where nothing answers."""
        ports = self.bound(name)
        return "tcp://127.0.0.1:%d" % ports[0] if ports else "ipc://" + self.ready_file(name)

    def events_endpoint(self, name):
        ports = self.bound(name)
        return "tcp://127.0.0.1:%d" % ports[1] if ports else "ipc://" + self.ready_file(name)

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

    def cases(self, covenant):
        """The covenant's :cases (every case id), once its indexes hold every case numbered: the
        submit leaves them to a step behind it (imvo_cases_index, common/lua/prelude.lua)."""
        p = "imvo:complaints:{%s}" % covenant

        def caught_up():
            marks = self.redis.cli("HGETALL", p + ":indexed").split()
            return all(self.redis.cli("GET", "%s:seq:%s" % (p, y)).strip() in (n, "")
                       for y, n in zip(marks[0::2], marks[1::2]))
        assert self.wait_for(caught_up), "the case indexes of %s did not catch up" % covenant
        return self.redis.cli("ZRANGE", p + ":cases", 0, -1).split()

    def wait_for(self, predicate, timeout=15, interval=0.05):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        return predicate()


def start_portal(s, log_path, **extra):
    """A portal of the test's own on a free port (its log says which): (process, port)."""
    env = dict(s.env(), IMVO_PORTAL_LISTEN="127.0.0.1:0",
               IMVO_REDIS_URL="redis://intake:%s@127.0.0.1:%d/0" % (USER_PASSWORD % "intake", s.redis.port))
    if s.curve:
        # With CURVE the portal's certificate is a gateway's: the signed-in person's actor stands.
        env.update(IMVO_CERT=s.cert("portal", "gateway"))
    env.update(extra)
    env = {k: v for k, v in env.items() if v is not None}
    log = open(log_path, "ab")
    proc = subprocess.Popen([daemon_path("portal")], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.time() + 15
    while time.time() < deadline and proc.poll() is None:
        with open(log_path, "rb") as f:
            ports = re.findall(rb"portal on http://127\.0\.0\.1:(\d+)/", f.read())
        if ports:
            return proc, int(ports[-1])
        time.sleep(0.02)
    raise AssertionError("the portal did not start")


def register(s, name, kind="company", actor=None):
    """A new organisation (org.register, in NL): its org id."""
    return s.ok("membership", "org.register", {"name": name, "kind": kind, "country": "NL"}, actor=actor)["org_id"]


def member(s, covenant, name, role="party", kind="company", groups=None, actor=None):
    """A new organisation that joined covenant (org.register, member.join): its org id. A party
    joins the working groups named, or else the covenant's first (covenant.get); others none."""
    org = register(s, name, kind, actor=actor)
    body = {"covenant": covenant, "org_id": org, "role": role}
    if role == "party":
        body["working_groups"] = groups or [g["code"] for g in
                                            s.ok("membership", "covenant.get", {"code": covenant})["working_groups"]][:1]
    s.ok("membership", "member.join", body, actor=actor)
    return org

class SharedSystem(unittest.TestCase):
    """A test class whose tests share one System, self.s, started once for the class: each test
    works in covenants, recipients or organisations of its own, so that none depends on
    another or on their order. A subclass names its daemons in SERVICES."""
    SERVICES = SERVICES

    @classmethod
    def setUpClass(cls):
        cls.s = System(cls.SERVICES).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
