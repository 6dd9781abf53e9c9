"""A newcomer's first minute: ./run.sh starts everything, loads the demo data, and every
command it prints works when typed as shown. Also: the demo loads once however often it runs.

run.sh runs for real (its own Redis on a free port, the four daemons on free ports, data in a
temporary directory), and the printed commands run through a shell as a person would type them.
"""
import os
import shlex
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from harness import BUILD_DIR, SERVICES, SOURCE_DIR, free_port


class FirstMinute(unittest.TestCase):
    def test_printed_commands_work(self):
        # run.sh starts its own Redis, and the daemons on the ports a user's clients expect: the
        # test gives them free ports (run.sh's daemons and imvoctl read them from the same variables).
        env = dict(os.environ)
        for name in SERVICES:
            for kind in ("", "EVENTS_"):
                port = free_port()
                env["IMVO_%s_%sBIND" % (name.upper(), kind)] = "tcp://127.0.0.1:%d" % port
                env["IMVO_%s_%sENDPOINT" % (name.upper(), kind)] = "tcp://127.0.0.1:%d" % port
        rundir = tempfile.mkdtemp(prefix="imvo-run-")
        portal = "127.0.0.1:%d" % free_port()
        env.update({"IMVO_BUILD_DIR": BUILD_DIR, "IMVO_RUN_DIR": rundir, "IMVO_REDIS_PORT": str(free_port()),
                    "IMVO_PORTAL_LISTEN": portal})
        env.pop("IMVO_REDIS_URL", None)
        env.pop("IMVO_CURVE", None)     # on, as for a newcomer: run.sh makes the certificates
        proc = subprocess.Popen(["bash", os.path.join(SOURCE_DIR, "run.sh")], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines = []
        try:
            deadline = time.time() + 120
            while time.time() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
                if line.startswith("Press Ctrl-C"):
                    break
            self.assertTrue(lines and lines[-1].startswith("Press Ctrl-C"), "\n".join(lines))
            shown = lines[lines.index(next(l for l in lines if l.endswith("Try:"))) + 1:-1]
            commands, current = [], ""
            for line in shown:
                current += line.strip()
                if current.endswith("\\"):
                    current = current[:-1] + " "
                    continue
                commands.append(current)
                current = ""
            self.assertGreaterEqual(len(commands), 5, shown)
            self.assertTrue(any("complaint submit" in c for c in commands), commands)
            ctl_env = dict(env, IMVO_REDIS_URL="unused")
            for command in commands:
                with self.subTest(command=command):
                    r = subprocess.run(command, shell=True, env=ctl_env, cwd=SOURCE_DIR,
                                       capture_output=True, text=True, timeout=30)
                    self.assertEqual(r.returncode, 0, "%s\n%s%s" % (command, r.stdout, r.stderr))
            # The complaint reached the gold secretariat's inbox.
            ctl = shlex.split(commands[0])[0]
            inbox = lambda: subprocess.run([ctl, "--json", "inbox", "list", "secretariat:gold"], env=ctl_env,
                                           capture_output=True, text=True).stdout
            deadline = time.time() + 15
            while "Child labour" not in inbox() and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("Child labour", inbox())
            # The printed address serves the complaint form, and /metrics says every daemon is up.
            self.assertIn("http://%s/" % portal, "\n".join(lines))
            form = urllib.request.urlopen("http://%s/?covenant=gold" % portal, timeout=10).read().decode()
            self.assertIn('action="/submit"', form)
            metrics = urllib.request.urlopen("http://%s/metrics" % portal, timeout=10).read().decode()
            up = {s.labels["service"]: s.value for f in text_string_to_metric_families(metrics)
                  for s in f.samples if s.name == "imvo_up"}
            self.assertEqual(up, {"membership": 1, "complaints": 1, "scoring": 1, "notify": 1})
            # The demo again: the same organisations, nothing new.
            first = [l for l in lines if l.startswith("org-")]
            again = subprocess.run([ctl, "demo"], env=ctl_env, capture_output=True, text=True)
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertEqual([l for l in again.stdout.splitlines() if l.startswith("org-")], first)
            self.assertEqual(len(first), 18)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            out, _ = proc.communicate(timeout=30)
            for name in ("membership", "complaints", "scoring", "notify"):
                with open(os.path.join(rundir, "logs", name + ".log"), errors="replace") as f:
                    log = f.read()
                for marker in ("ERROR: AddressSanitizer", "runtime error:"):
                    self.assertNotIn(marker, log, name)
        self.assertIn("stopped", out)


if __name__ == "__main__":
    unittest.main()
