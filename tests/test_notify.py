"""notify against real servers (proto/README.md, "notify"): who hears what, in which
language, read and unread, webhooks to a real HTTP receiver started here (signed, retried,
once, a receiver that answers too late, a dead one), e-mail to a real SMTP server (Debian's
python3-aiosmtpd), notify killed mid-batch, and two replicas."""
import email
import email.policy
import hashlib
import hmac
import json
import os
import socket
import subprocess
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import msgpack
from aiosmtpd.controller import Controller

from harness import SharedSystem, System, daemon_path, free_port

SEC, COM = {"role": "secretariat"}, {"role": "committee"}
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "notify", "templates")
# Every event that reaches people (notify's own notification.* go to operators).
EVENTS = ["complaint.received", "complaint.status_changed", "complaint.decided", "complaint.published",
          "complaint.deadline_due", "complaint.linked", "assessment.started", "assessment.scored", "assessment.completed",
          "assessment.corrected", "member.joined", "member.left", "location.list_published",
          "covenant.term_due", "covenant.term_recorded", "location.disclosure_reminder", "location.disclosure_overdue",
          "assessment.verified", "assessment.commented", "assessment.published"]
FAST = {"IMVO_NOTIFY_RETRY_MS": "100", "IMVO_NOTIFY_TIMEOUT_MS": "800"}


class Receiver:
    """A webhook receiver: records every POST; fails the first `fail` tries of each event with
    500; answers the first try of each event only after `late` seconds (after notify gave up
    waiting); waits `delay` seconds on every request. Deduplicates by X-IMVO-Event-Id, as
    the protocol asks of receivers."""

    def __init__(self, fail=0, late=0.0, delay=0.0):
        self.fail, self.late, self.delay = fail, late, delay
        self.requests, self.accepted, self.lock = [], {}, threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"       # keeps connections open, as most receivers do

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers["X-IMVO-Event-Id"]
                with receiver.lock:
                    tries = sum(1 for r in receiver.requests if r["event_id"] == event_id)
                    receiver.requests.append({"event_id": event_id, "raw": raw, "headers": dict(self.headers)})
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.late and tries == 0:
                    time.sleep(receiver.late)
                status = 500 if tries < receiver.fail else 200
                if status == 200:
                    with receiver.lock:
                        receiver.accepted.setdefault(event_id, json.loads(raw))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128

            def handle_error(self, request, client_address):
                pass                            # notify killed mid-request: nothing to report

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tries(self, event_id):
        with self.lock:
            return sum(1 for r in self.requests if r["event_id"] == event_id)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        box = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                box.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content,
                                                                                 policy=email.policy.default)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = "smtp://127.0.0.1:%d" % self.controller.port

    def close(self):
        self.controller.stop()


def items(s, recipient, actor=SEC):
    return s.ok("notify", "inbox.list", {"recipient": recipient, "limit": 1000}, actor=actor)["items"]


def notify_events(s, recipient, etype):
    """How many of notify's own events of one type there are about one recipient's deliveries."""
    return s.redis.cli("XRANGE", "imvo:notify:{%s}:events" % recipient, "-", "+").split("\n").count(etype)


def submit(s, n=0, name="Worker Secret", covenant="textile"):
    body = {"covenant": covenant, "respondent": s.respondent, "summary": "Case %d" % n,
            "description": "What happened in case %d." % n,
            "complainant": {"anonymous": False, "name": name, "contact": "secret@example.org"}}
    return s.ok("complaints", "complaint.submit", body)


def move(s, case_id, to, actor=SEC):
    return s.ok("complaints", "complaint.transition", {"case_id": case_id, "to": to, "reason": "checked"}, actor=actor)


def inject(s, source, tag, etype, body):
    """An event as another daemon emits it (its outbox stream and the stream registry)."""
    stream = "imvo:%s:{%s}:events" % (source, tag)
    s.redis.cli("SADD", "imvo:%s:streams" % source, stream)
    subprocess.run(["redis-cli", "-p", str(s.redis.port), "-x", "XADD", stream, "*", "type", etype, "source", source,
                    "at", str(int(time.time() * 1000)), "body"], input=msgpack.packb(body), check=True,
                   capture_output=True)


class Templates(unittest.TestCase):
    def test_every_event_has_both_languages(self):
        for etype in EVENTS:
            for lang in ("nl", "en"):
                with self.subTest(event=etype, lang=lang):
                    path = os.path.join(TEMPLATES, "%s.%s.tmpl" % (etype, lang))
                    self.assertTrue(os.path.exists(path), path)
                    with open(path, encoding="utf-8") as f:
                        lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
                                 for line in f if ":" in line and not line.startswith("#")}
                    for part in ("title", "text", "html"):
                        self.assertTrue(lines.get(part), "%s lacks %s" % (path, part))
        # No template for an event nobody sends.
        names = {f.rsplit(".", 2)[0] for f in os.listdir(TEMPLATES)}
        self.assertEqual(names, set(EVENTS))


class Inboxes(SharedSystem):
    """Who hears what, and inboxes, on one system: each test in recipients of its own (textile's
    staff and the respondent; gold's monitoring committee and org-41/42; food's committee;
    org-901/902)."""

    SERVICES = ["complaints", "notify"]

    def test_who_hears_what(self):
        s = self.s
        other = s.company("Other Brand BV", ["textile"])
        self.assertTrue(s.wait_for(lambda: s.drained("notify", "membership")))
        case = submit(s)
        case_id, receipt = case["case_id"], case["receipt"]
        self.assertTrue(s.wait_for(lambda: any(i.get("case_id") == case_id for i in items(s, "committee:textile"))))
        # Texts name the company (notify keeps its name from member.joined), not only its id.
        text = [i["text"] for i in items(s, "committee:textile") if i.get("case_id") == case_id][0]
        self.assertIn("tegen Respondent Brand BV (%s)" % s.respondent, text)
        # The secretariat hears of the complaint and of members joining.
        kinds = {i["type"] for i in items(s, "secretariat:textile")}
        self.assertTrue({"complaint.received", "member.joined"} <= kinds, kinds)
        # The company hears nothing before admissibility, then its case without the complainant.
        company = {"role": "company", "org": s.respondent}
        self.assertEqual([i for i in items(s, "org:" + s.respondent, company) if i["type"].startswith("complaint.")], [])
        move(s, case_id, "admissibility")
        got = s.wait_for(lambda: [i for i in items(s, "org:" + s.respondent, company)
                                  if i["type"] == "complaint.status_changed"])
        self.assertTrue(got)
        self.assertEqual(got[0]["case_id"], case_id)
        self.assertNotIn("Worker Secret", json.dumps(items(s, "org:" + s.respondent, company)))
        self.assertEqual([i for i in items(s, "org:" + other, {"role": "company", "org": other})
                          if i["type"].startswith("complaint.")], [])
        # The complainant's inbox opens with the receipt, and with nothing else.
        mine = s.wait_for(lambda: s.ok("notify", "inbox.by_receipt", {"receipt": receipt}, actor=False)["items"])
        self.assertEqual([(i["type"], i["case_id"]) for i in mine], [("complaint.status_changed", case_id)])
        r = s.call("notify", "inbox.by_receipt", {"receipt": receipt[:-4] + "AAAA"}, actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "receipt"), r)
        r = s.call("notify", "inbox.by_receipt", {"receipt": "x"}, actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "receipt"), r)

    def test_each_company_hears_only_its_own_result(self):
        s = self.s
        base = {"covenant": "gold", "round_id": "gold-2026-1", "year": 2026}
        inject(s, "scoring", "gold", "assessment.started", base)
        inject(s, "scoring", "gold", "assessment.scored", dict(base, org_id="org-41", score=62.5, band="advanced"))
        inject(s, "scoring", "gold", "assessment.scored", dict(base, org_id="org-42", score=30, band="improving"))
        inject(s, "membership", "gold", "location.list_published", {"covenant": "gold", "year": 2026, "count": 3})
        self.assertTrue(s.wait_for(lambda: len(items(s, "monitoring:gold")) == 3))
        mine = items(s, "org:org-41", {"role": "company", "org": "org-41"})
        self.assertEqual([(i["type"], "62.5" in i["text"]) for i in mine], [("assessment.scored", True)])
        theirs = items(s, "org:org-42", {"role": "company", "org": "org-42"})
        self.assertEqual(len(theirs), 1)
        self.assertIn("30", theirs[0]["text"])
        self.assertNotIn("62.5", json.dumps(theirs))
        self.assertTrue(s.wait_for(lambda: [i for i in items(s, "secretariat:gold")
                                            if i["type"] == "location.list_published"]))

    def test_read_unread_and_language(self):
        s = self.s
        for n in range(3):
            submit(s, n, covenant="food")
        self.assertTrue(s.wait_for(lambda: len(items(s, "committee:food")) == 3))
        page = s.ok("notify", "inbox.list", {"recipient": "committee:food"})
        self.assertEqual((page["unread"], [i["read"] for i in page["items"]]), (3, [False] * 3))
        first = page["items"][0]["event_id"]
        self.assertEqual(s.ok("notify", "inbox.mark_read", {"recipient": "committee:food",
                                                             "event_ids": [first, first, "1-1"]})["marked"], 1)
        page = s.ok("notify", "inbox.list", {"recipient": "committee:food"})
        self.assertEqual((page["unread"], [i["read"] for i in page["items"]]), (2, [True, False, False]))
        # Dutch by default; English once the recipient asks for it.
        self.assertTrue(page["items"][0]["title"].startswith("Nieuwe klacht"), page["items"][0])
        s.ok("notify", "subscription.put", {"recipient": "committee:food", "channel": "inbox", "lang": "en"})
        submit(s, 4, covenant="food")
        self.assertTrue(s.wait_for(lambda: items(s, "committee:food")[0]["title"].startswith("New complaint")))
        # A Dutch organisation's inbox speaks Dutch, another's English, until they choose.
        german = s.ok("membership", "org.register", {"name": "Textil GmbH", "kind": "company", "country": "DE"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "textile", "org_id": german, "role": "supporter"})

        def inbox_lang(org):
            subs = s.ok("notify", "subscription.list", {"recipient": "org:" + org})["subscriptions"]
            return [x["lang"] for x in subs if x["channel"] == "inbox"]
        self.assertTrue(s.wait_for(lambda: inbox_lang(german) == ["en"]), inbox_lang(german))
        self.assertEqual(inbox_lang(s.respondent), ["nl"])
        s.ok("notify", "subscription.put", {"recipient": "org:" + german, "channel": "inbox", "lang": "nl"})
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": german, "role": "supporter"})
        self.assertTrue(s.wait_for(lambda: s.drained("notify", "membership")))
        self.assertEqual(inbox_lang(german), ["nl"])
        # A company marks only its own inbox.
        r = s.call("notify", "inbox.mark_read", {"recipient": "committee:food", "event_ids": [first]},
                   actor={"role": "company", "org": "org-901"})
        self.assertEqual(r["error"]["code"], "forbidden")

    def test_subscriptions_are_checked(self):
        s = self.s
        for body, field in [({"recipient": "org:org-901", "channel": "webhook", "lang": "nl"}, "address"),
                            ({"recipient": "org:org-901", "channel": "webhook", "lang": "nl",
                              "address": "ftp://x.example/"}, "address"),
                            ({"recipient": "org:org-901", "channel": "email", "lang": "nl", "address": "nobody"}, "address"),
                            ({"recipient": "org:org-901", "channel": "sms", "lang": "nl"}, "channel"),
                            ({"recipient": "org:org-901", "channel": "inbox", "lang": "de"}, "lang"),
                            ({"recipient": "org:org-901", "channel": "email", "lang": "nl", "address": "a@b.example",
                              "secret": "0123456789abcdef"}, "secret")]:
            with self.subTest(body=body):
                r = s.call("notify", "subscription.put", body)
                self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", field), r)
        r = s.call("notify", "subscription.put", {"recipient": "org:org-902", "channel": "inbox", "lang": "en"},
                   actor={"role": "company", "org": "org-901"})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "recipient"), r)
        s.ok("notify", "subscription.put", {"recipient": "org:org-901", "channel": "webhook", "lang": "en",
                                            "address": "http://127.0.0.1:9/x", "secret": "0123456789abcdef"},
             actor={"role": "company", "org": "org-901"})
        subs = s.ok("notify", "subscription.list", {"recipient": "org:org-901"})["subscriptions"]
        self.assertEqual([(x["channel"], x["signed"], "secret" in x) for x in subs], [("webhook", True, False)])


class Webhooks(unittest.TestCase):
    def test_signed_retried_and_delivered_once(self):
        hook = Receiver(fail=2)
        try:
            with System(["complaints", "notify"], env=FAST) as s:
                secret = "a-secret-of-the-company-0001"
                company = {"role": "company", "org": s.respondent}
                s.ok("notify", "subscription.put", {"recipient": "org:" + s.respondent, "channel": "webhook",
                                                    "address": hook.url, "secret": secret, "lang": "en"}, actor=company)
                case_id = submit(s)["case_id"]
                move(s, case_id, "admissibility")
                self.assertTrue(s.wait_for(lambda: len(hook.accepted) == 1), hook.requests)
                event_id, got = next(iter(hook.accepted.items()))
                self.assertEqual(hook.tries(event_id), 3)
                self.assertEqual(set(got), {"event_id", "type", "title", "text", "at", "body"})
                self.assertEqual((got["event_id"], got["type"], got["body"]["case_id"]),
                                 (event_id, "complaint.status_changed", case_id))
                self.assertIn(case_id, got["title"])
                self.assertNotIn("Worker Secret", json.dumps(got))
                for r in hook.requests:
                    mac = hmac.new(secret.encode(), r["raw"], hashlib.sha256).hexdigest()
                    self.assertEqual(r["headers"]["X-IMVO-Signature"], "sha256=" + mac)
                    self.assertEqual(r["headers"]["Content-Type"], "application/json")
                # Once: a later event is delivered while the first is never sent again.
                move(s, case_id, "response", COM)
                self.assertTrue(s.wait_for(lambda: len(hook.accepted) == 2))
                self.assertEqual(hook.tries(event_id), 3)
                self.assertTrue(s.wait_for(lambda: notify_events(s, "org:" + s.respondent,
                                                                 "notification.delivered") == 2))
                self.assertEqual(s.ok("notify", "stats", {})["deliveries"]["backlog"]["webhook"], 0)
        finally:
            hook.close()

    def test_answer_after_the_timeout_is_deduplicated_by_the_receiver(self):
        hook = Receiver(late=1.5)
        try:
            with System(["complaints", "notify"], env=FAST) as s:
                s.ok("notify", "subscription.put", {"recipient": "secretariat:textile", "channel": "webhook",
                                                    "address": hook.url, "lang": "nl", "types": ["complaint.received"]})
                case_id = submit(s)["case_id"]
                self.assertTrue(s.wait_for(lambda: s.ok("notify", "stats", {})["deliveries"]["backlog"]["webhook"] == 0
                                           and hook.accepted))
                # The first try reached the receiver but its answer came too late: tried again, one
                # event id, and the receiver keeps one.
                self.assertEqual(len(hook.accepted), 1)
                event_id = next(iter(hook.accepted))
                self.assertGreaterEqual(hook.tries(event_id), 2)
                self.assertEqual(hook.accepted[event_id]["body"]["case_id"], case_id)
                self.assertNotIn("X-IMVO-Signature", hook.requests[0]["headers"])
        finally:
            hook.close()

    def test_a_dead_endpoint_fails_after_the_retries_and_holds_up_nobody(self):
        good = Receiver()
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))             # bound, never listening: connection refused
        dead_url = "http://127.0.0.1:%d/" % dead.getsockname()[1]
        env = dict(FAST, IMVO_NOTIFY_MAX_AGE_MS="1500")
        try:
            with System(["complaints", "notify"], env=env) as s:
                s.ok("notify", "subscription.put", {"recipient": "committee:textile", "channel": "webhook",
                                                    "address": dead_url, "lang": "nl"})
                s.ok("notify", "subscription.put", {"recipient": "secretariat:textile", "channel": "webhook",
                                                    "address": good.url, "lang": "nl", "types": ["complaint.received"]})
                case_id = submit(s)["case_id"]
                self.assertTrue(s.wait_for(lambda: len(good.accepted) == 1))
                self.assertTrue(any(i.get("case_id") == case_id for i in items(s, "committee:textile")))
                self.assertTrue(s.wait_for(lambda: notify_events(s, "committee:textile", "notification.failed")))
                failed = s.ok("notify", "notify.failures", {"recipient": "committee:textile"})["failures"]
                self.assertEqual(len(failed), 1)
                failed = failed[0]
                self.assertEqual((failed["channel"], failed["address"], failed["type"]),
                                 ("webhook", dead_url, "complaint.received"))
                self.assertIn("onnect", failed["error"])
                self.assertGreaterEqual(failed["attempts"], 2)
                out = s.imvoctl("notify", "failures")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn(dead_url, out.stdout)
                self.assertIn("committee:textile", out.stdout)
                stats = s.ok("notify", "stats", {})["deliveries"]
                self.assertEqual((stats["failed"], stats["backlog"]["webhook"]), (1, 0))
        finally:
            good.close()
            dead.close()

    def test_killed_mid_batch_every_delivery_once(self):
        hook = Receiver(delay=0.01)
        try:
            with System(["complaints", "notify"], env=FAST) as s:
                s.ok("notify", "subscription.put", {"recipient": "committee:textile", "channel": "webhook",
                                                    "address": hook.url, "lang": "en"})
                cases = [submit(s, n)["case_id"] for n in range(100)]
                self.assertTrue(s.wait_for(lambda: len(hook.requests) >= 20))
                s.kill("notify")
                s.start("notify")
                self.assertTrue(s.wait_for(lambda: len(hook.accepted) == 100, timeout=30), len(hook.accepted))
                self.assertEqual(sorted(a["body"]["case_id"] for a in hook.accepted.values()), sorted(cases))
                self.assertTrue(s.wait_for(lambda: s.ok("notify", "stats", {})["deliveries"]["backlog"]["webhook"] == 0))
                self.assertEqual(s.redis.cli("HLEN", "imvo:notify:{committee:textile}:delivered").strip(), "100")
                self.assertEqual(notify_events(s, "committee:textile", "notification.delivered"), 100)
        finally:
            hook.close()

    def test_two_replicas_deliver_each_once(self):
        hook = Receiver()
        try:
            with System(["complaints", "notify"], env=FAST) as s:
                s.ok("notify", "subscription.put", {"recipient": "committee:textile", "channel": "webhook",
                                                    "address": hook.url, "lang": "en"})
                env = s.env()
                # s.env() binds port *: the replica gets ports of its own.
                env["IMVO_CONSUMER_NAME"] = "replica-2"
                with open(os.path.join(s.workdir, "replica.log"), "wb") as log:
                    replica = subprocess.Popen([daemon_path("notify")], env=env, stdout=log, stderr=subprocess.STDOUT)
                try:
                    cases = [submit(s, n)["case_id"] for n in range(60)]
                    self.assertTrue(s.wait_for(lambda: len(hook.accepted) == 60, timeout=30))
                    self.assertTrue(s.wait_for(lambda: s.drained("notify")))
                finally:
                    replica.terminate()
                    self.assertEqual(replica.wait(10), 0)
                self.assertEqual(len(hook.requests), 60)    # nobody failed: nothing was sent twice
                self.assertEqual(sorted(a["body"]["case_id"] for a in hook.accepted.values()), sorted(cases))
                self.assertEqual(len(items(s, "committee:textile")), 60)
        finally:
            hook.close()


class Mail(unittest.TestCase):
    def test_mail_in_the_subscribers_language_with_text_and_html(self):
        box = Mailbox()
        try:
            with System(["complaints", "notify"], env=dict(FAST, IMVO_SMTP_URL=box.url)) as s:
                s.ok("notify", "subscription.put", {"recipient": "secretariat:textile", "channel": "email",
                                                    "address": "desk@secretariat.example", "lang": "en",
                                                    "types": ["complaint.received"]})
                s.ok("notify", "subscription.put", {"recipient": "committee:textile", "channel": "email",
                                                    "address": "commissie@example.org", "lang": "nl"})
                case_id = submit(s, 1)["case_id"]
                self.assertTrue(s.wait_for(lambda: len(box.messages) == 2))
                by = {tuple(rcpt)[0]: msg for rcpt, msg in box.messages}
                en, nl = by["desk@secretariat.example"], by["commissie@example.org"]
                self.assertEqual(en["Subject"], "New complaint %s" % case_id)
                self.assertEqual(nl["Subject"], "Nieuwe klacht %s" % case_id)
                for msg, lang in ((en, "en"), (nl, "nl")):
                    self.assertEqual(msg["Content-Language"], lang)
                    self.assertTrue(msg["X-IMVO-Event-Id"])
                    self.assertEqual(msg.get_content_type(), "multipart/alternative")
                    parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
                    self.assertEqual(set(parts), {"text/plain", "text/html"})
                    self.assertIn(case_id, parts["text/plain"])
                    self.assertIn("<b>%s</b>" % case_id, parts["text/html"])
                    self.assertNotIn("Worker Secret", msg.as_string())
                self.assertEqual(en["To"], "desk@secretariat.example")
        finally:
            box.close()


if __name__ == "__main__":
    unittest.main()
