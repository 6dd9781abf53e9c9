"""Benchmark: complaints' intake on a Redis Cluster (issue 21, 5), and what a master's SIGKILL
loses with and without WAIT (issue 21, 2). Not a test: it prints figures (docs/CLUSTER.md).

    /usr/bin/python3 tests/bench_cluster.py [TOTAL]         intake (default 4,000 a run)
    /usr/bin/python3 tests/bench_cluster.py loss [RUNS]     acknowledged complaints lost (default 3 runs)

Intake: one master and three masters, each with one replica (tests/test_cluster.py's
start_cluster: redis-server processes with AOF and appendfsync always), membership and
complaints with IMVO_REDIS_CLUSTER=on; for IMVO_REDIS_WAIT_REPLICAS N=0 and N=1 (complaints
restarted with it), in the same run:
  - redis-benchmark SET on every master at once (64 in flight each, a key of a slot it holds):
    SETs a second, and each master's CPU per SET (INFO cpu);
  - bench_submit, TOTAL complaint.submit through the daemon (8 x 8 in flight), the covenants
    in turn (BENCH_COVENANTS) so that they spread over the masters: complaints a second, and
    per master the complaints it held, its CPU per complaint (INFO cpu: all of it, the WAITs'
    and replication's included) and EVALSHA's usec per complaint (INFO commandstats);
    the replicas' CPU per complaint beside it (they apply every write on the same machine).
Loss: per run a three-master cluster, complaints from 64 requests in flight over eight
covenants, the master of textile's slot SIGKILLed after 1 s (and restarted, to come back as a
replica, once its replica took over); the load goes on 0.5 s after the failover; then every
acknowledged complaint is looked up (complaint.get): those not found, or whose case number
now holds another complaint (the new master's counter lacks the lost INCRs), are lost. Two scenarios:
the replica in step, and the replica cut off for the last 0.3 s before the kill (SIGSTOPped,
and its connection dropped by the master, CLIENT KILL TYPE replica, so that what the master
takes after that reaches it no more: a replica behind by a network fault or a stalled disk;
SIGCONT at the kill); RUNS runs each with N=0, then N=1. Exits 1 when
N=1 lost any.
"""
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD_DIR, System  # noqa: E402
from test_cluster import master_of, start_cluster  # noqa: E402

COVENANTS = ["textile", "gold", "food", "insurance", "pensions", "natural-stone", "metals", "floriculture"]


def cpu_us(node):
    info = node.cli("INFO", "cpu")
    return 1e6 * sum(float(v) for v in re.findall(r"used_cpu_(?:sys|user):([\d.]+)", info))


def evalsha_usec(node):
    """EVALSHA's usec since RESETSTAT (the commands inside included, as Redis counts them)."""
    m = re.search(r"cmdstat_evalsha:calls=\d+,usec=(\d+)", node.cli("INFO", "commandstats"))
    return int(m.group(1)) if m else 0


def role(node):
    return node.cli("ROLE").split("\n")[0].strip()


class Layout:
    """A cluster of `masters` masters with a replica each, and membership and complaints on it."""

    def __init__(self, masters):
        self.dir = tempfile.mkdtemp(prefix="imvo-bench-cluster-")
        self.nodes = []
        self.s = System(["membership", "complaints"], cluster=False,
                        env={"IMVO_REDIS_CLUSTER": "on", "IMVO_WORKERS": os.environ.get("IMVO_WORKERS", "4")})
        try:
            start_cluster(self.dir, masters, self.nodes)
            self.s.redis = self.nodes[0]
            self.s.redis.stop = lambda: None
            self.s.__enter__()
        except BaseException:
            self.close()
            raise
        known = [c["code"] for c in self.s.ok("membership", "covenant.list", {})["covenants"]]
        self.covenants = [c for c in COVENANTS if c in known]
        self.masters = [n for n in self.nodes if role(n) == "master"]
        self.replicas = [n for n in self.nodes if n not in self.masters]
        self.holds = {n.port: [c for c in self.covenants if master_of(self.nodes, "{%s}" % c).port == n.port]
                      for n in self.masters}

    def wait_replicas(self, n):
        self.s.extra_env["IMVO_REDIS_WAIT_REPLICAS"] = str(n)
        self.s.stop("complaints")
        self.s.start("complaints")

    def close(self):
        try:
            self.s.close()
        finally:
            for n in self.nodes:
                if n.alive():
                    n.proc.kill()
                    n.proc.wait(10)
            shutil.rmtree(self.dir, ignore_errors=True)


def sets(layout, per_master):
    """redis-benchmark SET on every master at once: (SETs a second in all, {port: CPU us per SET})."""
    cpu0 = {n.port: cpu_us(n) for n in layout.masters}
    t0 = time.monotonic()
    procs = [subprocess.Popen(["redis-benchmark", "-p", str(n.port), "-c", "64", "-n", str(per_master), "-q",
                               "SET", "bench:{%s}" % layout.holds[n.port][0], "xxx"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for n in layout.masters]
    for p in procs:
        out = p.communicate(timeout=300)[0]
        if "requests per second" not in out:
            raise SystemExit("redis-benchmark: " + out)
    seconds = time.monotonic() - t0
    return (per_master * len(layout.masters) / seconds,
            {n.port: (cpu_us(n) - cpu0[n.port]) / per_master for n in layout.masters})


def submits(layout, total):
    """bench_submit through complaints: (complaints a second, per master (complaints, CPU us and
    EVALSHA usec per complaint), the replicas' CPU us per complaint)."""
    for n in layout.nodes:
        n.cli("CONFIG", "RESETSTAT")
    cpu0 = {n.port: cpu_us(n) for n in layout.nodes}
    out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_submit"), layout.s.endpoint("complaints"),
                          "8", "8", str(total), layout.s.respondent], capture_output=True, text=True,
                         env=dict(os.environ, BENCH_COVENANTS=",".join(layout.covenants)))
    if out.returncode or "errors=0" not in out.stdout:
        raise SystemExit("bench_submit: %s %s" % (out.stdout, out.stderr[-2000:]))
    rate = float(re.search(r"per_second=([\d.]+)", out.stdout).group(1))
    per = {}
    for n in layout.masters:
        held = total * len(layout.holds[n.port]) / len(layout.covenants)
        per[n.port] = (held, (cpu_us(n) - cpu0[n.port]) / held, evalsha_usec(n) / held)
    replicas = sum(cpu_us(n) - cpu0[n.port] for n in layout.replicas) / total
    return rate, per, replicas


def intake(total):
    rows = []
    for masters in (1, 3):
        layout = Layout(masters)
        try:
            for n in (0, 1):
                layout.wait_replicas(n)
                set_rate, set_cpu = sets(layout, max(20000, total * 5))
                rate, per, replicas = submits(layout, total)
                rows.append((masters, n, rate, set_rate, per, set_cpu, replicas, layout.holds))
                print("%d master(s), N=%d: %7.0f complaints/s beside %7.0f SET/s" % (masters, n, rate, set_rate),
                      flush=True)
        finally:
            layout.close()
    print("\nmasters  N  complaints/s   SET/s  ratio | per master: covenants, CPU us/complaint, "
          "EVALSHA us/complaint, CPU us/SET | replicas' CPU us/complaint")
    for masters, n, rate, set_rate, per, set_cpu, replicas, holds in rows:
        cells = ["%s: %d cov., %.0f, %.0f, %.1f" % (port, len(holds[port]), c, u, set_cpu[port])
                 for port, (_, c, u) in sorted(per.items())]
        print("%7d  %d  %12.0f  %6.0f  %5.1f | %s | %.0f"
              % (masters, n, rate, set_rate, set_rate / rate, "; ".join(cells), replicas))


def load(s, covenants, stop, acked, in_flight=64):
    """complaint.submit with in_flight requests outstanding on one DEALER until stop(); acked
    gets key -> (case_id, time acknowledged)."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(s.endpoint("complaints"))
    pending, n = {}, 0
    while not stop() or pending:
        while len(pending) < in_flight and not stop():
            key, c = "loss-%s" % uuid.uuid4().hex, covenants[n % len(covenants)]
            body = {"covenant": c, "respondent": s.respondent, "summary": "Loss " + key,
                    "description": "Complaint %d of the loss run." % n, "complainant": {"anonymous": True}}
            rid = uuid.uuid4().hex
            sock.send(msgpack.packb({"v": 1, "id": rid, "type": "complaint.submit", "key": key, "body": body,
                                     "actor": {"role": "secretariat"}}))
            pending[rid] = (key, time.monotonic())
            n += 1
        if sock.poll(200):
            reply = msgpack.unpackb(sock.recv_multipart()[-1], raw=False)
            key, _ = pending.pop(reply.get("id"), (None, 0))
            if key and reply.get("ok"):
                acked[key] = (reply["body"]["case_id"], time.monotonic())
        for rid, (key, sent) in list(pending.items()):
            if time.monotonic() - sent > 10:
                del pending[rid]
    sock.close()


def loss_run(n, lagging):
    """One run: (acknowledged, of them before the kill, those of the killed master's covenants,
    [lost case ids])."""
    layout = Layout(3)
    try:
        layout.wait_replicas(n)
        s, nodes = layout.s, layout.nodes
        victim = master_of(nodes, "{textile}")
        port = int(re.search(r"slave0:ip=[^,]+,port=(\d+)", victim.cli("INFO", "replication")).group(1))
        replica = next(x for x in nodes if x.port == port)
        acked, state = {}, {"stopped": None, "killed": None, "until": None, "asked": 0}

        def stop():
            now = time.monotonic()
            if lagging and state["stopped"] is None and now - t0 > 0.7:
                state["stopped"] = now              # the replica cut off for 0.3 s
                replica.proc.send_signal(signal.SIGSTOP)
                victim.cli("CLIENT", "KILL", "TYPE", "replica")
            if state["killed"] is None and now - t0 > 1.0:
                state["killed"] = now
                victim.proc.send_signal(signal.SIGKILL)
                victim.proc.wait(10)
                replica.proc.send_signal(signal.SIGCONT)
            if state["killed"] and state["until"] is None and now - state["asked"] > 0.1:
                state["asked"] = now
                m = master_of(nodes, "{textile}")
                if m is not None and m.port != victim.port:
                    state["until"] = now + 0.5
                    victim.spawn()                  # back with its data, as the new master's replica
            return state["until"] is not None and now > state["until"]
        t0 = time.monotonic()
        load(s, layout.covenants, stop, acked)
        before = sum(1 for _, at in acked.values() if at < state["killed"])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda case: s.call("complaints", "complaint.get", {"case_id": case}, timeout=5000),
                                  [case for case, _ in acked.values()]))
        # Lost: not found, or its number given again to another complaint (the new master's
        # counter did not have the lost INCRs).
        missing = [case for (key, (case, _)), r in zip(acked.items(), found)
                   if not (r and r.get("ok") and r["body"].get("summary") == "Loss " + key)]
        held = tuple(c.upper() + "-" for c in layout.holds[victim.port])
        textile = sum(1 for case, _ in acked.values() if case.upper().startswith(held))
        # The old master back as a replica, so that complaints' last WAITs (N=1) find one.
        new = master_of(nodes, "{textile}")
        deadline = time.time() + 15
        while not re.search(r"state=online,offset=[1-9]", new.cli("INFO", "replication")) and time.time() < deadline:
            time.sleep(0.1)
        return len(acked), before, textile, missing
    finally:
        layout.close()


def loss(runs):
    print("scenario              N  run  acknowledged  before the kill  on the killed master  lost (acknowledged, not found after)")
    totals = {}
    for lagging in (False, True):
        scenario = "replica 0.3 s behind" if lagging else "replica in step"
        for n in (0, 1):
            for run in range(runs):
                acked, before, textile, missing = loss_run(n, lagging)
                totals.setdefault((scenario, n), []).append(len(missing))
                print("%-20s  %d  %3d  %12d  %15d  %20d  %d %s" % (scenario, n, run + 1, acked, before, textile,
                                                                len(missing), " ".join(missing[:3])), flush=True)
    for (scenario, n), lost in totals.items():
        print("%s, N=%d: %d lost in %d runs (%s)" % (scenario, n, sum(lost), len(lost), ", ".join(map(str, lost))))
    if any(sum(lost) for (_, n), lost in totals.items() if n == 1):
        raise SystemExit("N=1 lost acknowledged complaints")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "loss":
        loss(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        intake(int(sys.argv[1]) if len(sys.argv) > 1 else 4000)
