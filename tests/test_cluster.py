"""A Redis Cluster of three masters, each with a replica (issue 21, PROTOCOL.md "Beyond one
machine"): the daemons with IMVO_REDIS_CLUSTER=on route every call by its key's slot, follow
MOVED, and find the new master after a failover. Complaints to several covenants land on
different masters; the master holding textile's slot is killed with SIGKILL mid-load, and with
IMVO_REDIS_WAIT_REPLICAS=1 every acknowledged complaint is there after its replica took over,
none twice, and notify heard of every case. The portal (as the Redis user intake), notify and a
scoring round work on the six nodes, the portal's queued complaint waits for a replica, and a
slot that migrates mid-test is followed through ASK."""
import collections
import concurrent.futures
import http.client
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
import uuid

from harness import Redis, System, start_portal
from test_scoring import ANSWERS, FRAMEWORK, company as party


class Node(Redis):
    """A cluster node; redis-cli follows MOVED (-c)."""

    def cli(self, *args):
        cmd = ["redis-cli", "-c", "-p", str(self.port)]
        return subprocess.run(cmd + [str(a) for a in args], check=True,
                              capture_output=True, text=True, errors="replace", timeout=10).stdout

    def start(self):
        if not self.proc or self.proc.poll() is not None:
            self.spawn()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


def complaint(s, covenant, n):
    return {"covenant": covenant, "respondent": s.respondent, "summary": "Unpaid overtime %d" % n,
            "description": "Overtime in week %d was not paid." % n,
            "complainant": {"anonymous": False, "name": "Worker %d" % n, "contact": "w%d@example.org" % n}}


def wait(condition, seconds, what):
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise AssertionError(what)
        time.sleep(0.02)


def start_cluster(workdir, masters=3, nodes=None):
    """A Redis Cluster of `masters` masters, each with one replica (redis-cli --cluster create;
    one master, which it refuses, by hand: all slots to it, its replica MEETs and REPLICATEs),
    every replica in sync. Returns the nodes (appended to `nodes` as they start)."""
    nodes = [] if nodes is None else nodes
    for i in range(2 * masters):
        os.makedirs(os.path.join(workdir, "n%d" % i))
        node = Node(os.path.join(workdir, "n%d" % i), None, True)
        node.spawn()
        nodes.append(node)

    def pong(node):
        try:
            return "PONG" in node.cli("PING")
        except subprocess.CalledProcessError:
            return False
    for node in nodes:
        wait(lambda: pong(node), 10, "redis node did not start")
        # A replica's full sync at once (not after the default 5 s), and the master's
        # offset moving every second without writes (PING), which the wait below looks for.
        node.cli("CONFIG", "SET", "repl-diskless-sync-delay", "0", "repl-ping-replica-period", "1")
    if masters >= 3:
        subprocess.run(["redis-cli", "--cluster", "create"] + ["127.0.0.1:%d" % n.port for n in nodes]
                       + ["--cluster-replicas", "1", "--cluster-yes"], check=True, capture_output=True, timeout=30)
    else:
        nodes[0].cli("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        nodes[1].cli("CLUSTER", "MEET", "127.0.0.1", nodes[0].port, nodes[0].bus_port)
        master = nodes[0].cli("CLUSTER", "MYID").strip()
        wait(lambda: master in nodes[1].cli("CLUSTER", "NODES"), 10, "the replica did not meet its master")
        nodes[1].cli("CLUSTER", "REPLICATE", master)
    wait(lambda: all("cluster_state:ok" in n.cli("CLUSTER", "INFO") for n in nodes), 15,
         "the cluster did not become ok")
    # Each master has its replica in sync and acknowledging (after a diskless sync the
    # master streams nothing until the replica's first ACK, up to 1 s later): else WAIT 1
    # would answer 0.
    wait(lambda: len(re.findall(r"state=online,offset=[1-9]", "".join(n.cli("INFO", "replication")
                                                                    for n in nodes))) >= masters,
         15, "the replicas did not come in sync")
    return nodes


def master_of(nodes, key):
    """The node that holds key's slot as a master now."""
    slot = int(next(n for n in nodes if n.alive()).cli("CLUSTER", "KEYSLOT", key))
    for n in nodes:
        if not n.alive():
            continue
        for line in n.cli("CLUSTER", "NODES").splitlines():
            f = line.split()
            if "myself" in f[2] and "master" in f[2]:
                for r in f[8:]:
                    lo, _, hi = r.partition("-")
                    if not lo.startswith("[") and int(lo) <= slot <= int(hi or lo):
                        return n
    return None


def form_submit(port, source="127.0.0.1"):
    """The complaint form filled in and posted, as a browser does from source: the response."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    c.request("GET", "/?lang=en&covenant=textile")
    r = c.getresponse()
    page = r.read().decode()
    if r.status != 200:
        # The form itself could not be shown (a 503 while the members cannot be read during a
        # failover): a browser has nothing to post, and the visitor reads "try again".
        c.close()
        return r
    cookie = re.search(r"csrf=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page),
                  company="Respondent Brand BV", summary="Locked exits", description="Locked at night",
                  who="anonymous")
    c.request("POST", "/submit", body=urllib.parse.urlencode(fields),
              headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": "csrf=" + cookie})
    r = c.getresponse()
    r.read()
    c.close()
    return r


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def receipt(port, intake):
    """The receipt on the page a complaint's intake cookie leads to, or None."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/received?lang=en", headers={"Cookie": "intake=" + intake})
    m = re.search(r'id="receipt">([^<]+)<', c.getresponse().read().decode())
    c.close()
    return m and m.group(1)


class Cluster(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="imvo-cluster-")
        self.nodes = []
        self.addCleanup(self.stop_nodes)
        start_cluster(self.dir, nodes=self.nodes)

    def stop_nodes(self):
        for n in self.nodes:
            if n.alive():
                n.proc.kill()
                n.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def master_of(self, key):
        return master_of(self.nodes, key)

    @staticmethod
    def info(node):
        try:
            return node.cli("INFO", "replication")
        except subprocess.CalledProcessError:
            return ""

    def system(self, env, services=("complaints",), curve=False):
        s = System(services, cluster=False, env=dict(env, IMVO_REDIS_CLUSTER="on"), curve=curve)
        s.redis = self.nodes[0]         # the URL names one node; the daemons find the rest
        s.redis.stop = lambda: None     # tearDown stops the nodes
        return s

    def test_complaints_spread_over_masters_and_survive_a_failover(self):
        covenants = ["textile", "gold", "food", "insurance", "pensions", "natural-stone", "metals", "floriculture"]
        with self.system({"IMVO_REDIS_WAIT_REPLICAS": "1"}, ["complaints", "notify"]) as s:
            known = [c["code"] for c in s.ok("membership", "covenant.list", {})["covenants"]]
            covenants = [c for c in covenants if c in known]
            masters = {c: self.master_of("imvo:complaints:{%s}:seq" % c).port for c in covenants}
            self.assertGreaterEqual(len(set(masters.values())), 2, masters)
            # Every covenant takes complaints, whichever master holds it.
            others = {}                 # key -> (covenant, n): the calls outside the load
            for n in self.nodes:        # (redis-cli -c, the harness's, is redirected: not counted)
                n.cli("CONFIG", "RESETSTAT")
            for c in covenants:
                others["first-%s" % c] = (c, 0)
                case = s.ok("complaints", "complaint.submit", complaint(s, c, 0), key="first-%s" % c)["case_id"]
                self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case})["case_id"], case)
            # Each call went to its slot's master at once (the CRC16 slots agree with Redis's):
            # no node had to answer MOVED.
            for n in self.nodes:
                self.assertNotIn("errorstat_MOVED", n.cli("INFO", "errorstats"), n.port)

            # Mid-load, textile's master dies.
            victim = self.master_of("imvo:complaints:{textile}:seq")
            acked, tried, failed, lock = {}, [], [], threading.Lock()
            stop = threading.Event()

            def load(worker):
                n = 0
                while not stop.is_set():
                    c = covenants[n % len(covenants)]
                    key = "load-%d-%d" % (worker, n)
                    with lock:
                        tried.append((key, c, n))
                    r = s.call("complaints", "complaint.submit", complaint(s, c, n), key=key, timeout=5000)
                    if r and r.get("ok"):
                        with lock:
                            acked[key] = r["body"]["case_id"]
                    else:
                        with lock:
                            failed.append((time.time(), c, (r or {}).get("error", {}).get("message")))
                        time.sleep(0.05)    # as a client backs off
                    n += 1

            threads = [threading.Thread(target=load, args=(w,), daemon=True) for w in range(4)]
            self.addCleanup(stop.set)
            for t in threads:
                t.start()
            time.sleep(0.7)
            killed_at = time.time()
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait(10)
            before_kill = len(acked)
            # The replica takes over after cluster-node-timeout.
            deadline = time.time() + 30
            while (self.master_of("imvo:complaints:{textile}:seq") or victim).port == victim.port:
                self.assertLess(time.time(), deadline, "no replica took over")
                time.sleep(0.1)
            # The new master has no replica left, so WAIT 1 answers `unavailable` until the lost
            # node is replaced: it comes back with its data directory and joins as a replica.
            victim.spawn()
            while not re.search(r"state=online,offset=[1-9]", self.master_of("imvo:complaints:{textile}:seq")
                                .cli("INFO", "replication")):
                self.assertLess(time.time(), deadline, "the lost node did not come back as a replica")
                time.sleep(0.1)
            # textile takes complaints again.
            while True:
                key = "after-%s" % uuid.uuid4().hex
                others[key] = ("textile", 999)
                r = s.call("complaints", "complaint.submit", complaint(s, "textile", 999), key=key, timeout=3000)
                if r and r.get("ok"):
                    break
                self.assertLess(time.time(), deadline, "textile took no complaint after the failover: %r\n%s"
                                % (r, s.log("complaints")[-3000:]))
                time.sleep(0.2)
            time.sleep(0.5)
            stop.set()
            for t in threads:
                t.join(30)
            self.assertGreater(len(acked), before_kill, "no complaint was acknowledged after the kill")
            self.assertNotEqual(self.master_of("imvo:complaints:{textile}:seq").port, victim.port)

            # Every acknowledged complaint is there, with its case.
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                got = dict(zip(acked, pool.map(lambda case: s.call("complaints", "complaint.get", {"case_id": case}),
                                               acked.values())))
            for key, case in acked.items():
                self.assertTrue(got[key] and got[key]["ok"] and got[key]["body"]["case_id"] == case, (key, got[key]))

            # None twice: each key again gives its case (or files it now, once) ...
            def again(item):
                key, c, n = item
                for _ in range(20):
                    r = s.call("complaints", "complaint.submit", complaint(s, c, n), key=key, timeout=5000)
                    if r and r.get("ok"):
                        return r["body"]["case_id"]
                    time.sleep(0.1)
                return r
            everything = tried + [(key, c, n) for key, (c, n) in others.items()]
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                cases = dict(zip((k for k, _, _ in everything), pool.map(again, everything)))
            for key, case in cases.items():
                self.assertIsInstance(case, str, (key, case))
                if key in acked:
                    self.assertEqual(case, acked[key], key)
            self.assertEqual(len(set(cases.values())), len(cases), "a case was filed twice")
            # ... and the case counters count each key once: no case was made twice and lost.
            year = time.gmtime().tm_year
            made = sum(int(self.nodes[0 if self.nodes[0].alive() else 1].cli(
                "GET", "imvo:complaints:{%s}:seq:%d" % (c, year)).strip() or 0) for c in covenants)
            self.assertEqual(made, len(cases))
            # notify went on through the failover: every case is in its secretariat's inbox.
            def heard():
                seen = set()
                for c in covenants:
                    items = s.ok("notify", "inbox.list", {"recipient": "secretariat:" + c, "limit": 1000})["items"]
                    seen.update(i.get("case_id") for i in items if i["type"] == "complaint.received")
                return not set(cases.values()) - seen
            self.assertTrue(s.wait_for(heard, timeout=20, interval=0.2), s.log("notify")[-3000:])
            print("acknowledged %d of %d complaints (%d before the kill); failures by second after the kill: %s"
                  % (len(acked), len(tried), before_kill,
                     sorted(collections.Counter(round(t - killed_at) for t, _, _ in failed).items())))

    def migrate_slot(self, tag, target):
        """Moves the slot of {tag} to target as redis-cli --cluster reshard does: IMPORTING on
        target, MIGRATING on its master, every key MIGRATEd; returns a function that ends the
        migration (SETSLOT NODE on every master). In between the old master answers ASK."""
        slot = int(self.nodes[0].cli("CLUSTER", "KEYSLOT", "{%s}" % tag))
        source = self.master_of("{%s}" % tag)
        ids = {n.port: n.cli("CLUSTER", "MYID").strip() for n in (source, target)}
        target.cli("CLUSTER", "SETSLOT", slot, "IMPORTING", ids[source.port])
        source.cli("CLUSTER", "SETSLOT", slot, "MIGRATING", ids[target.port])
        while True:
            keys = source.cli("CLUSTER", "GETKEYSINSLOT", slot, 100).split()
            if not keys:
                break
            source.cli("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys)

        def end():
            for n in self.nodes:
                if n.alive() and "master" in n.cli("ROLE").split("\n")[0]:
                    n.cli("CLUSTER", "SETSLOT", slot, "NODE", ids[target.port])
        return source, end

    def test_portal_notify_and_scoring_on_the_cluster_and_ask_followed(self):
        env = {"IMVO_REDIS_WAIT_REPLICAS": "1"}
        with self.system(env, ["membership", "complaints", "scoring", "notify"], curve=True) as s:
            # The portal as the Redis user intake (deploy/redis/intake.acl): it reads the slot
            # map (CLUSTER SLOTS) and its queued complaint waits for a replica, as the daemons'.
            log = os.path.join(s.workdir, "portal.log")
            portal, port = start_portal(s, log, **env)
            self.addCleanup(portal.wait, 10)
            self.addCleanup(portal.terminate)
            base = "http://127.0.0.1:%d" % port

            submit = lambda: form_submit(port)

            # With the intake queue's replica stopped, no replica confirms the queued complaint
            # in time (IMVO_REDIS_WAIT_MS): the form answers 503, try again, not "received".
            queue = self.master_of("imvo:complaints:intake")
            replica = int(re.search(r"slave0:ip=[^,]+,port=(\d+)", queue.cli("INFO", "replication")).group(1))
            replica = next(n for n in self.nodes if n.port == replica)
            replica.proc.send_signal(signal.SIGSTOP)
            try:
                self.assertEqual(submit().status, 503)
            finally:
                replica.proc.send_signal(signal.SIGCONT)
            r = None
            for _ in range(50):             # until the replica acknowledges again
                r = submit()
                if r.status != 503:
                    break
                time.sleep(0.1)
            self.assertEqual(r.status, 303, read_text(log)[-2000:])
            intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)

            got = s.wait_for(lambda: receipt(port, intake), timeout=15, interval=0.1)
            self.assertRegex(got or "", r"^TEXTILE(-[0-9A-Z]{4}){4}$", s.log("complaints")[-2000:])
            self.assertNotIn("CLUSTER SLOTS refused", read_text(log))
            case_id = s.ok("complaints", "complaint.status", {"receipt": got})["case_id"]

            # notify hears of it from textile's stream, on whichever master holds it.
            self.assertTrue(s.wait_for(lambda: case_id in str(s.ok("notify", "inbox.list", {
                "recipient": "secretariat:textile", "limit": 100})["items"]), timeout=15), s.log("notify")[-2000:])

            # A scoring round over gold's companies; each hears its result through notify.
            mon = s.cert("monitoring", "monitoring")      # with CURVE the certificate names the role
            s.ok("scoring", "framework.put", FRAMEWORK, cert=mon)
            orgs = {k: party(s, "Gold %s BV" % k) for k in ANSWERS}
            for k, answers in ANSWERS.items():
                s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": orgs[k], "year": 2026,
                                                   "answers": answers}, cert=s.cert(k, "company", orgs[k]))
            s.ok("scoring", "assessment.start", {"covenant": "gold", "year": 2026}, cert=mon)
            done = s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": "gold-2026"}, cert=mon)
                              ["status"] == "completed", timeout=20)
            self.assertTrue(done, s.log("scoring")[-2000:])
            scores = {r["org_id"]: r["score"] for r in s.ok("scoring", "assessment.get", {"round_id": "gold-2026"},
                                                              cert=mon)["results"]}
            self.assertEqual(set(scores), set(orgs.values()))
            for k, org in orgs.items():
                self.assertTrue(s.wait_for(lambda: any(i["type"] == "assessment.scored" for i in s.ok(
                    "notify", "inbox.list", {"recipient": "org:" + org}, cert=s.cert(k, "company", org))
                    ["items"]), timeout=15), k)

            # food's slot moves to another master mid-test: while it migrates, its old master
            # answers ASK for the keys already moved, and the daemons follow it (ASKING).
            before = s.ok("complaints", "complaint.submit", complaint(s, "food", 1), key="ask-before")["case_id"]
            target = next(n for n in self.nodes if n.alive() and n is not self.master_of("{food}")
                          and "master" in n.cli("ROLE").split("\n")[0])
            source, end = self.migrate_slot("food", target)
            self.addCleanup(end)
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": before})["case_id"], before)
            during = s.ok("complaints", "complaint.submit", complaint(s, "food", 2), key="ask-during")["case_id"]
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": during})["case_id"], during)
            self.assertRegex(source.cli("INFO", "errorstats"), r"errorstat_ASK:count=[1-9]")
            self.assertEqual(source.cli("CLUSTER", "COUNTKEYSINSLOT", source.cli("CLUSTER", "KEYSLOT", "{food}")
                                        .strip()).strip(), "0")
            end()
            # Moved for good: MOVED teaches the daemons the new master.
            after = s.ok("complaints", "complaint.submit", complaint(s, "food", 3), key="ask-after")["case_id"]
            for case in (before, during, after):
                self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case})["case_id"], case)
            self.assertEqual(self.master_of("{food}").port, target.port)


    def test_the_intake_queue_loses_nothing_in_a_failover(self):
        env = {"IMVO_REDIS_WAIT_REPLICAS": "1"}
        with self.system(env, ["membership", "complaints"], curve=True) as s:
            portal, port = start_portal(s, os.path.join(s.workdir, "portal.log"), IMVO_PORTAL_WAIT_MS="1000", **env)
            self.addCleanup(portal.wait, 10)
            self.addCleanup(portal.terminate)
            victim = self.master_of("imvo:complaints:intake")
            received, refused, stop, n = [], [], threading.Event(), itertools.count()

            def load():
                while not stop.is_set():
                    i = next(n)             # an address each: the form takes 5 an address in 10 minutes
                    r = form_submit(port, "127.0.%d.%d" % (1 + i // 250, 1 + i % 250))
                    if r.status == 303:
                        received.append(re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1))
                    else:
                        refused.append(r.status)
                        time.sleep(0.05)
            threads = [threading.Thread(target=load, daemon=True) for _ in range(3)]
            self.addCleanup(stop.set)
            for th in threads:
                th.start()
            wait(lambda: len(received) >= 20, 15, "the portal queued nothing")
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait(10)
            before = len(received)
            wait(lambda: (self.master_of("imvo:complaints:intake") or victim).port != victim.port, 30,
                 "no replica took over the intake queue")
            victim.spawn()              # back as the new master's replica: WAIT 1 is answered again
            wait(lambda: len(received) >= before + 20, 30, "the portal queued nothing after the failover: %r"
                 % collections.Counter(refused))
            stop.set()
            for th in threads:
                th.join(30)
            # Every complaint the portal said it received became a case.
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                got = list(pool.map(lambda k: s.wait_for(lambda: receipt(port, k), timeout=20, interval=0.2), received))
            self.assertEqual([k for k, g in zip(received, got) if not g], [], s.log("complaints")[-3000:])
            self.assertEqual(len(set(got)), len(got))
            # Meanwhile the form said "try again" (503), never that the company is unknown.
            self.assertLessEqual(set(refused), {503})
            print("the portal received %d complaints (%d before the kill), refused %s"
                  % (len(received), before, sorted(collections.Counter(refused).items())))


class NotMadeYet(unittest.TestCase):
    """Containers and pods start the daemons while the cluster is being made (Kubernetes runs
    the set-up Job beside them; podman-compose does not wait for it)."""

    def test_a_daemon_started_before_the_cluster_is_made_waits_for_it(self):
        workdir = tempfile.mkdtemp(prefix="imvo-cluster-")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        node = Node(workdir, None, True)
        node.spawn()
        self.addCleanup(lambda: node.alive() and (node.proc.kill(), node.proc.wait(10)))
        wait(lambda: subprocess.run(["redis-cli", "-p", str(node.port), "PING"], capture_output=True,
                                    text=True).stdout.strip() == "PONG", 10, "redis node did not start")
        s = System(["notify"], cluster=False, env={"IMVO_REDIS_CLUSTER": "on"})
        s.redis, s.services = node, []  # notify is started below, not waited for
        node.stop = lambda: None
        with s:
            s.start("notify", wait=False)
            time.sleep(1)               # it asks for the slot map and finds none
            node.cli("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
            s.wait_ready("notify", timeout=15)
            # Answered once the node takes writes (a new master waits a moment before it does).
            r = s.wait_for(lambda: (s.call("notify", "inbox.list", {"recipient": "secretariat:textile"})
                                    or {}).get("ok"), timeout=10, interval=0.2)
            self.assertTrue(r, s.log("notify")[-2000:])


if __name__ == "__main__":
    unittest.main()
