"""The container files, checked by content (no Docker engine on these machines):
docker-compose.yml, deploy/Dockerfile, deploy/redis.conf, deploy/k8s/*.yaml, and the scripts."""
import os
import re
import subprocess
import unittest

import yaml

from harness import SOURCE_DIR

PORTS = {"membership": 1, "complaints": 2, "scoring": 3, "notify": 4}


def read(*path):
    with open(os.path.join(SOURCE_DIR, *path)) as f:
        return f.read()


class Compose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = yaml.safe_load(read("docker-compose.yml"))
        cls.services = cls.doc["services"]

    def test_services(self):
        self.assertEqual(set(self.services), {"redis", "portal", *PORTS})

    def test_redis_aof_on_named_volume(self):
        redis = self.services["redis"]
        self.assertIn("redis-data", self.doc["volumes"])
        self.assertIn("redis-data:/data", redis["volumes"])
        conf = read("deploy", "redis.conf")
        self.assertRegex(conf, r"(?m)^appendonly yes$")
        self.assertRegex(conf, r"(?m)^appendfsync always$")
        self.assertRegex(conf, r"(?m)^dir /data$")
        self.assertTrue(any("redis.conf" in v for v in redis["volumes"]))
        self.assertEqual(redis["command"][-2:], ["--aclfile", "/run/secrets/users.acl"])
        self.assertIn("healthcheck", redis)

    def test_daemons(self):
        for name, n in PORTS.items():
            with self.subTest(name=name):
                svc = self.services[name]
                test = svc["healthcheck"]["test"]
                self.assertEqual(test[0], "CMD")
                self.assertIn("imvoctl", test)
                self.assertEqual(test[-2:], ["ping", name])
                self.assertEqual(svc["depends_on"]["redis"]["condition"], "service_healthy")
                env = svc["environment"]
                # Its own Redis user, from the file deploy/make-redis-users.sh writes.
                self.assertNotIn("IMVO_REDIS_URL", env)
                self.assertEqual(svc["env_file"], "./deploy/certs/redis/%s.env" % name)
                self.assertEqual(env["IMVO_%s_BIND" % name.upper()], "tcp://*:710%d" % n)
                self.assertEqual(env["IMVO_%s_EVENTS_BIND" % name.upper()], "tcp://*:720%d" % n)
                self.assertEqual(svc["build"]["dockerfile"], "deploy/Dockerfile")
                self.assertEqual(svc["command"], ["imvo-%s" % name])
                # CURVE with the certificates mounted as secrets, never switched off.
                self.assertNotIn("IMVO_CURVE", env)
                mounted = {x["source"]: x["target"] for x in svc["secrets"]}
                self.assertEqual(env["IMVO_CERT"], "/run/secrets/" + mounted["imvo_daemon_cert"])
                self.assertEqual(env["IMVO_CERT_DIR"], "/run/secrets/" + mounted["imvo_clients"])
                self.assertEqual(env["IMVO_SERVER_CERT"], "/run/secrets/" + mounted["imvo_server_cert"])
        self.assertEqual(self.services["notify"]["environment"]["IMVO_COMPLAINTS_EVENTS_ENDPOINT"],
                         "tcp://complaints:7202")

    def test_dockerfile_multi_stage_slim_non_root(self):
        text = read("deploy", "Dockerfile")
        froms = re.findall(r"(?m)^FROM (\S+)", text)
        self.assertEqual(froms, ["debian:bookworm-slim", "debian:bookworm-slim"])
        runtime = text.split("\nFROM ")[-1]
        self.assertNotRegex(runtime, r"-dev\b")
        self.assertRegex(runtime, r"(?m)^USER (?!root)\S+")
        for binary in ["imvo-%s" % s for s in PORTS] + ["imvoctl"]:
            self.assertIn(binary, runtime)
        # Seed data is built into membership: the image carries no data files.
        self.assertNotIn("IMVO_DATA_DIR", runtime)

    def test_k8s_manifests(self):
        for name in PORTS:
            docs = list(yaml.safe_load_all(read("deploy", "k8s", name + ".yaml")))
            deployment = next(d for d in docs if d["kind"] == "Deployment")
            container = deployment["spec"]["template"]["spec"]["containers"][0]
            self.assertEqual(container["readinessProbe"]["exec"]["command"][-2:], ["ping", name])
            self.assertGreaterEqual(deployment["spec"]["replicas"], 2)

    def test_cluster_compose(self):
        # docker-compose.cluster.yml: six nodes with a volume each, made into three masters with a
        # replica each by a one-shot container; the daemons and the portal of docker-compose.yml
        # on it with IMVO_REDIS_CLUSTER=on and WAIT for a replica (tests/containers.sh runs it).
        doc = yaml.safe_load(read("docker-compose.cluster.yml"))
        nodes = ["redis"] + ["redis-%d" % i for i in range(2, 7)]
        for name in nodes:
            svc = doc["services"][name]
            self.assertIn("--cluster-enabled yes", svc["command"][-1])
            self.assertIn("--aclfile /run/secrets/users.acl", svc["command"][-1])
            self.assertIn("%s-data:/data" % name, svc["volumes"])
            self.assertIn("%s-data" % name, doc["volumes"])
        setup = doc["services"]["cluster-setup"]
        self.assertIn("--cluster-replicas 1", setup["command"][-1])
        self.assertEqual(set(setup["depends_on"]), set(nodes))
        for name in list(PORTS) + ["portal"]:
            svc = doc["services"][name]
            self.assertEqual(svc["extends"], {"file": "docker-compose.yml", "service": name})
            self.assertEqual(svc["environment"]["IMVO_REDIS_CLUSTER"], "on")
            self.assertEqual(svc["environment"]["IMVO_REDIS_WAIT_REPLICAS"], "1")
            self.assertEqual(svc["depends_on"]["cluster-setup"]["condition"], "service_completed_successfully")
        self.assertIn("docker-compose.cluster.yml", read("tests", "containers.sh"))

    def test_k8s_redis_cluster(self):
        docs = {d["kind"]: d for d in yaml.safe_load_all(read("deploy", "k8s", "redis-cluster.yaml"))}
        sts = docs["StatefulSet"]
        self.assertEqual(sts["spec"]["replicas"], 6)
        self.assertEqual(sts["spec"]["serviceName"], docs["Service"]["metadata"]["name"])
        self.assertEqual(docs["Service"]["spec"]["clusterIP"], "None")
        self.assertTrue(sts["spec"]["volumeClaimTemplates"])
        conf = docs["ConfigMap"]["data"]["redis.conf"]
        for line in ("appendonly yes", "appendfsync always", "cluster-enabled yes"):
            self.assertRegex(conf, r"(?m)^%s$" % line)
        self.assertIn("--cluster-replicas 1", docs["Job"]["spec"]["template"]["spec"]["containers"][0]["command"][-1])

    def test_scripts(self):
        for script in ("run.sh", "test.sh", ".ci/run", "deploy/install-deps.sh"):
            subprocess.run(["bash", "-n", os.path.join(SOURCE_DIR, script)], check=True)
        blocks = re.findall(r"```\w*\n(.*?)```", read("README.md"), re.S)
        commands = [line.strip() for b in blocks for line in b.splitlines() if line.strip()]
        self.assertEqual(commands[:2], ["./run.sh", "./test.sh"])
        ci = read(".ci", "run")
        self.assertIn("apt-get update", ci)
        self.assertIn("./test.sh", ci)


if __name__ == "__main__":
    unittest.main()
