"""Accounts of persons (issue 19): account.create gives an enrollment token; account.enroll sets the
password (Argon2id) and gives the TOTP secret; account.login, for a gateway (the portal) and
services, checks both (a TOTP code works once) and gives a session token; account.session tells
whose a session is and keeps it alive (30 minutes idle, 12 hours in all); account.logout ends it;
account.password changes a person's own password and ends her other sessions; account.disable ends
them all. Five wrong logins lock an account for 15 minutes; a token works once and lapses after
72 hours; account.list never shows a secret. The test computes TOTP codes itself (RFC 6238:
HMAC-SHA1, 6 digits, 30 s steps). The clock-bound rules are tested on a system of their own, whose
membership is restarted with IMVO_CLOCK_OFFSET_S."""
import base64
import hashlib
import time
import unittest
import uuid

from harness import SharedSystem, System, totp

SERVICE = {"role": "service"}
GATEWAY = {"role": "gateway"}
PASSWORD = "correct horse battery"


def username():
    return "p.%s" % uuid.uuid4().hex[:10]


class AccountMixin:

    def create(self, user=None, role="secretariat", org=None, actor=None, **kw):
        body = {"username": user or username(), "name": "Anna de Vries", "email": "anna@example.org", "role": role}
        if org:
            body["org"] = org
        body.update(kw)
        return self.s.ok("membership", "account.create", body, actor=actor)

    def enroll(self, token, password=PASSWORD):
        return self.s.call("membership", "account.enroll", {"enroll_token": token, "password": password},
                           actor=False)

    def enrolled(self, **kw):
        made = self.create(**kw)
        r = self.enroll(made["enroll_token"])
        self.assertTrue(r["ok"], r)
        return made["username"], r["body"]["totp_secret"]

    def login(self, user, password, code, actor=GATEWAY):
        return self.s.call("membership", "account.login", {"username": user, "password": password, "totp": code},
                           actor=actor)

    def session(self, token, actor=GATEWAY):
        return self.s.call("membership", "account.session", {"session": token}, actor=actor)

    def assertEnded(self, token):
        r = self.session(token)
        self.assertError(r, "forbidden", "session")
        self.assertEqual(r["error"]["message"], "the session has ended; sign in again")

    def assertError(self, r, code, field=None):
        self.assertIsNotNone(r)
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], code, r)
        if field:
            self.assertEqual(r["error"].get("field"), field, r)


class Accounts(AccountMixin, SharedSystem):

    SERVICES = ["membership"]

    def test_create_enroll_login(self):
        made = self.create(lang="en")
        self.assertEqual(len(made["enroll_token"]), 64)
        r = self.enroll(made["enroll_token"])
        self.assertTrue(r["ok"], r)
        secret = r["body"]["totp_secret"]
        self.assertEqual(r["body"]["username"], made["username"])
        self.assertEqual(len(base64.b32decode(secret)), 20)
        # One step either side is accepted, two are not (each code once, the steps in order).
        before = time.time()
        r = self.login(made["username"], PASSWORD, totp(secret, step=-1))
        self.assertTrue(r["ok"], r)
        token = r["body"].pop("session")
        self.assertRegex(token, "^[0-9a-f]{64}$")
        expires = r["body"].pop("expires_at")
        self.assertEqual(r["body"], {"username": made["username"], "name": "Anna de Vries", "role": "secretariat",
                                     "org": "", "lang": "en"})
        # 30 minutes from now on the daemon's clock (ms).
        self.assertAlmostEqual(expires / 1000, before + 1800, delta=60)
        self.assertTrue(self.login(made["username"], PASSWORD, totp(secret))["ok"])
        self.assertTrue(self.login(made["username"], PASSWORD, totp(secret, step=1), actor=SERVICE)["ok"])
        self.assertError(self.login(made["username"], PASSWORD, totp(secret, step=3)), "forbidden")
        # Redis keeps the session's hash only, never the token.
        h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
        self.assertEqual(self.s.redis.cli("HGET", "imvo:membership:{accounts}:session:" + h, "username").strip(),
                         made["username"])
        self.assertEqual(self.s.redis.cli("EXISTS", "imvo:membership:{accounts}:session:" + token).strip(), "0")
        ttl = int(self.s.redis.cli("PTTL", "imvo:membership:{accounts}:session:" + h))
        self.assertTrue(11 * 3600 * 1000 < ttl <= 12 * 3600 * 1000, ttl)

    def test_a_login_and_a_new_password_are_audited_without_secrets(self):
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        self.s.ok("membership", "account.password", {"username": user, "password": PASSWORD,
                                                     "new_password": "a changed password", "session": token},
                  actor={"role": "secretariat", "person": user})
        entries = self.s.redis.cli("XRANGE", "imvo:membership:{audit}:audit", "-", "+")
        self.assertIn(user, entries)
        self.assertIn("account.login", entries)
        self.assertIn("account.password", entries)
        for hidden in (token, PASSWORD, "a changed password", secret):
            self.assertNotIn(hidden, entries)

    def test_a_session_tells_whose_it_is_until_logout(self):
        org = self.s.ok("membership", "org.register", {"name": "Session Co %s" % uuid.uuid4().hex[:6],
                                                       "kind": "company", "country": "NL"})["org_id"]
        user, secret = self.enrolled(role="company", org=org)
        token = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        r = self.session(token)
        self.assertTrue(r["ok"], r)
        self.assertEqual(set(r["body"]), {"username", "name", "role", "org", "lang", "expires_at"})
        self.assertEqual((r["body"]["username"], r["body"]["role"], r["body"]["org"]), (user, "company", org))
        self.assertEqual(self.session(token, actor=SERVICE)["body"]["username"], user)
        self.assertEqual(self.s.ok("membership", "account.logout", {"session": token}, actor=GATEWAY),
                         {"ended": True})
        self.assertEnded(token)
        # Ending it again says the same: it has ended.
        self.assertEqual(self.s.ok("membership", "account.logout", {"session": token}, actor=GATEWAY),
                         {"ended": True})
        self.assertEnded("0" * 64)
        for field, value in (("session", ""), ("session", "x" * 129), ("session", "has space")):
            self.assertError(self.session(value), "invalid_argument", field)

    def test_a_totp_code_works_once(self):
        user, secret = self.enrolled()
        code = totp(secret)
        self.assertTrue(self.login(user, PASSWORD, code)["ok"])
        replayed = self.login(user, PASSWORD, code)
        self.assertError(replayed, "forbidden", "password")
        # The same answer as a wrong password: a replay tells nothing more.
        self.assertEqual(replayed["error"]["message"], self.login(user, "not the password", code)["error"]["message"])
        # An older code, still within the window, is refused too; a later one works.
        self.assertError(self.login(user, PASSWORD, totp(secret, step=-1)), "forbidden", "password")
        self.assertTrue(self.login(user, PASSWORD, totp(secret, step=1))["ok"])

    def test_only_a_gateway_or_a_service_handles_sessions(self):
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        for actor in ({"role": "secretariat"}, False, {"role": "company", "org": "org-1"}, {"role": "complainant"}):
            with self.subTest(actor=actor):
                self.assertError(self.login(user, PASSWORD, totp(secret, step=1), actor=actor), "forbidden")
                self.assertError(self.session(token, actor=actor), "forbidden")
                self.assertError(self.s.call("membership", "account.logout", {"session": token}, actor=actor),
                                 "forbidden")
        self.assertTrue(self.session(token)["ok"])

    def test_a_person_changes_her_password_and_her_other_sessions_end(self):
        user, secret = self.enrolled(role="committee")
        here = self.login(user, PASSWORD, totp(secret, step=-1))["body"]["session"]
        there = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        me = {"role": "committee", "person": user}
        new = "another long password"
        body = {"username": user, "password": PASSWORD, "new_password": new, "session": here}
        # Not another person, not a certificate without a person, not a gateway for no one.
        for actor in ({"role": "committee", "person": "p.someone-else"}, {"role": "secretariat"}, GATEWAY):
            with self.subTest(actor=actor):
                self.assertError(self.s.call("membership", "account.password", body, actor=actor),
                                 "forbidden", "username")
        self.assertError(self.s.call("membership", "account.password", {**body, "password": "not the password"},
                                     actor=me), "forbidden", "password")
        self.assertError(self.s.call("membership", "account.password", {**body, "new_password": "short"},
                                     actor=me), "invalid_argument", "new_password")
        self.assertError(self.s.call("membership", "account.password", {**body, "new_password": PASSWORD},
                                     actor=me), "invalid_argument", "new_password")
        # Nothing changed so far: both sessions live, the old password works.
        self.assertTrue(self.session(here)["ok"] and self.session(there)["ok"])
        self.assertEqual(self.s.ok("membership", "account.password", body, actor=me), {"username": user})
        self.assertTrue(self.session(here)["ok"])
        self.assertEnded(there)
        self.assertError(self.login(user, PASSWORD, totp(secret, step=1)), "forbidden", "password")
        self.assertTrue(self.login(user, new, totp(secret, step=1))["ok"])
        # A service may change it too (the present password checked); without a session kept,
        # every session ends.
        self.assertEqual(self.s.ok("membership", "account.password",
                                   {"username": user, "password": new, "new_password": PASSWORD}, actor=SERVICE),
                         {"username": user})
        self.assertEnded(here)

    def test_a_wrong_present_password_counts_as_a_wrong_login(self):
        user, secret = self.enrolled()
        me = {"role": "secretariat", "person": user}
        for _ in range(5):
            self.assertError(self.s.call("membership", "account.password",
                                         {"username": user, "password": "wrong password!",
                                          "new_password": "a new long password"}, actor=me), "forbidden", "password")
        r = self.login(user, PASSWORD, totp(secret))
        self.assertError(r, "forbidden", "username")
        self.assertIn("locked", r["error"]["message"])

    def test_a_disabled_or_reset_account_s_sessions_end(self):
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        self.s.ok("membership", "account.disable", {"username": user})
        self.assertEnded(token)
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, totp(secret))["body"]["session"]
        self.s.ok("membership", "account.reset", {"username": user, "what": "password"})
        self.assertEnded(token)
        self.assertEqual(self.s.redis.cli("EXISTS", "imvo:membership:{accounts}:sessions:" + user).strip(), "0")

    def test_the_username_is_unique(self):
        user = username()
        self.create(user)
        r = self.s.call("membership", "account.create", {"username": user, "name": "B", "email": "b@example.org",
                                                          "role": "committee"})
        self.assertError(r, "conflict", "username")

    def test_wrong_code_or_password_is_forbidden_without_saying_which(self):
        user, secret = self.enrolled()
        code = totp(secret)
        wrong = "%06d" % ((int(code) + 1) % 1000000)
        a = self.login(user, PASSWORD, wrong)
        b = self.login(user, "not the password", code)
        c = self.login("p.nobody-" + uuid.uuid4().hex[:6], PASSWORD, code)
        for r in (a, b, c):
            self.assertError(r, "forbidden", "password")
        self.assertEqual(a["error"]["message"], b["error"]["message"])
        self.assertEqual(a["error"]["message"], c["error"]["message"])
        self.assertTrue(self.login(user, PASSWORD, code)["ok"])

    def test_five_wrong_passwords_lock_the_account(self):
        user, secret = self.enrolled()
        for _ in range(5):
            self.assertError(self.login(user, "wrong password!", totp(secret)), "forbidden", "password")
        r = self.login(user, PASSWORD, totp(secret))
        self.assertError(r, "forbidden")
        self.assertIn("locked", r["error"]["message"])

    def test_a_token_works_once(self):
        made = self.create()
        self.assertTrue(self.enroll(made["enroll_token"])["ok"])
        self.assertError(self.enroll(made["enroll_token"], "another password"), "not_found", "enroll_token")
        self.assertError(self.enroll("f" * 64), "not_found", "enroll_token")

    def test_an_unenrolled_or_disabled_account_cannot_sign_in(self):
        pending = self.create()["username"]
        self.assertError(self.login(pending, PASSWORD, "123456"), "forbidden")
        user, secret = self.enrolled()
        self.assertEqual(self.s.ok("membership", "account.disable", {"username": user}),
                         {"username": user, "status": "disabled"})
        self.assertError(self.login(user, PASSWORD, totp(secret)), "forbidden", "password")
        self.assertError(self.s.call("membership", "account.disable", {"username": username()}), "not_found")

    def test_reset_makes_the_person_enroll_again(self):
        user, secret = self.enrolled()
        token = self.s.ok("membership", "account.reset", {"username": user, "what": "totp"})["enroll_token"]
        self.assertError(self.login(user, PASSWORD, totp(secret)), "forbidden")
        r = self.enroll(token, "a brand new password")
        self.assertTrue(r["ok"], r)
        self.assertNotEqual(r["body"]["totp_secret"], secret)
        self.assertTrue(self.login(user, "a brand new password", totp(r["body"]["totp_secret"]))["ok"])
        self.assertError(self.s.call("membership", "account.reset", {"username": user, "what": "totp"},
                                     actor={"role": "committee"}), "forbidden")

    def test_a_retry_with_the_key_never_shows_the_token_again(self):
        key = uuid.uuid4().hex
        body = {"username": username(), "name": "C", "email": "c@example.org", "role": "steering"}
        first = self.s.call("membership", "account.create", body, key=key)
        self.assertTrue(first["ok"], first)
        again = self.s.call("membership", "account.create", body, key=key)
        self.assertError(again, "conflict", "key")
        self.assertNotIn(first["body"]["enroll_token"], repr(again))

    def test_list_hides_secrets(self):
        user, secret = self.enrolled(role="committee")
        pending = self.create()
        accounts = self.s.ok("membership", "account.list", {})["accounts"]
        mine = {a["username"]: a for a in accounts}
        self.assertEqual(mine[user], {"username": user, "name": "Anna de Vries", "email": "anna@example.org",
                                      "role": "committee", "org": "", "lang": "nl", "status": "active", "admin": False})
        self.assertEqual(mine[pending["username"]]["status"], "pending")
        text = repr(accounts)
        for hidden in (secret, pending["enroll_token"], "argon2id", "enroll_hash", "pwhash"):
            self.assertNotIn(hidden, text)
        # Nor are they kept in Redis in plain: the token only as its hash.
        dump = self.s.redis.cli("HGETALL", "imvo:membership:{accounts}:account:" + pending["username"])
        self.assertNotIn(pending["enroll_token"], dump)

    def test_a_company_manages_only_its_own_orgs_accounts(self):
        org = self.s.ok("membership", "org.register", {"name": "Acc Co %s" % uuid.uuid4().hex[:6], "kind": "company",
                                                       "country": "NL"})["org_id"]
        other = self.s.ok("membership", "org.register", {"name": "Other Co %s" % uuid.uuid4().hex[:6],
                                                         "kind": "company", "country": "NL"})["org_id"]
        company = {"role": "company", "org": org}
        mine = self.create(role="company", org=org, actor=company)["username"]
        theirs = self.create(role="company", org=other)["username"]
        r = self.s.call("membership", "account.create", {"username": username(), "name": "X", "email": "x@example.org",
                                                          "role": "company", "org": other}, actor=company)
        self.assertError(r, "forbidden", "org")
        r = self.s.call("membership", "account.create", {"username": username(), "name": "X", "email": "x@example.org",
                                                          "role": "secretariat", "org": org}, actor=company)
        self.assertError(r, "forbidden", "role")
        listed = self.s.ok("membership", "account.list", {"org": org}, actor=company)["accounts"]
        self.assertEqual([a["username"] for a in listed], [mine])
        self.assertError(self.s.call("membership", "account.list", {"org": other}, actor=company), "forbidden", "org")
        self.assertError(self.s.call("membership", "account.disable", {"username": theirs}, actor=company),
                         "forbidden", "username")
        self.assertEqual(self.s.ok("membership", "account.disable", {"username": mine}, actor=company)["status"],
                         "disabled")
        self.assertError(self.s.call("membership", "account.create", {"username": username(), "name": "X",
                                                                       "email": "x@example.org", "role": "company",
                                                                       "org": "org-999999"}), "not_found", "org")

    def test_bad_input_names_the_field(self):
        good = {"username": username(), "name": "D", "email": "d@example.org", "role": "monitoring"}
        for field, value in (("username", "Bad Name"), ("username", "ab"), ("username", "UPPER"),
                             ("username", "x" * 65), ("role", "admin"), ("role", "complainant"),
                             ("email", "not-an-email"), ("lang", "de")):
            with self.subTest(field=field, value=value):
                r = self.s.call("membership", "account.create", {**good, field: value})
                self.assertError(r, "invalid_argument", field)
        r = self.s.call("membership", "account.create", {**good, "role": "company"})
        self.assertError(r, "invalid_argument", "org")
        made = self.create()
        self.assertError(self.enroll(made["enroll_token"], "short pw"), "invalid_argument", "password")
        self.assertError(self.enroll(made["enroll_token"], "x" * 201), "invalid_argument", "password")
        self.assertError(self.s.call("membership", "account.reset", {"username": made["username"], "what": "both"}),
                         "invalid_argument", "what")
        # The short password did not use the token up.
        self.assertTrue(self.enroll(made["enroll_token"])["ok"])

    def test_imvoctl_creates_enrolls_and_lists(self):
        user = username()
        out = self.s.imvoctl("account", "create", "--username", user, "--name", "Eva",
                             "--email", "eva@example.org", "--role", "secretariat", check=True).stdout
        token = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("enroll_token: ")][0]
        out = self.s.imvoctl("account", "enroll", "--token", token, "--password", PASSWORD, check=True).stdout
        self.assertIn("otpauth://totp/IMVO:%s?secret=" % user, out)
        secret = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("totp_secret: ")][0]
        self.assertTrue(self.login(user, PASSWORD, totp(secret))["ok"])
        out = self.s.imvoctl("account", "list", check=True).stdout
        self.assertIn(user, out)
        self.assertNotIn(secret, out)
        out = self.s.imvoctl("--actor-role", "service", "account", "login", "--username", user, "--password", PASSWORD,
                             "--totp", totp(secret, step=1), check=True).stdout
        token = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("session: ")][0]
        out = self.s.imvoctl("--actor-role", "service", "account", "session", token, check=True).stdout
        self.assertIn("username: %s" % user, out)
        self.s.imvoctl("--actor-role", "service", "account", "logout", token, check=True)
        self.assertEnded(token)


class AccountClock(AccountMixin, unittest.TestCase):
    """The rules on the daemon's clock: membership restarted with IMVO_CLOCK_OFFSET_S."""

    def setUp(self):
        self.s = System(["membership"]).__enter__()
        self.offset = 0

    def tearDown(self):
        self.s.close()

    def move_clock(self, seconds):
        self.offset = seconds
        self.s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(seconds)
        self.s.stop("membership")
        self.s.start("membership")

    def code(self, secret):
        return totp(secret, at=time.time() + self.offset)

    def test_a_lock_ends_after_15_minutes(self):
        user, secret = self.enrolled()
        for _ in range(5):
            self.assertError(self.login(user, "wrong password!", self.code(secret)), "forbidden")
        self.assertError(self.login(user, PASSWORD, self.code(secret)), "forbidden")
        self.move_clock(14 * 60)
        self.assertError(self.login(user, PASSWORD, self.code(secret)), "forbidden")
        self.move_clock(16 * 60)
        r = self.login(user, PASSWORD, self.code(secret))
        self.assertTrue(r["ok"], r)

    def test_a_token_lapses_after_72_hours(self):
        early, late = self.create(), self.create()
        self.move_clock(71 * 3600)
        self.assertTrue(self.enroll(early["enroll_token"])["ok"])
        self.move_clock(72 * 3600 + 60)
        self.assertError(self.enroll(late["enroll_token"]), "not_found", "enroll_token")

    def test_a_session_ends_after_30_minutes_idle(self):
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, self.code(secret))["body"]["session"]
        self.move_clock(29 * 60)
        r = self.session(token)
        self.assertTrue(r["ok"], r)
        self.assertAlmostEqual(r["body"]["expires_at"] / 1000, time.time() + self.offset + 1800, delta=60)
        self.move_clock(58 * 60)            # 29 minutes after it was last used: alive
        self.assertTrue(self.session(token)["ok"])
        self.move_clock(89 * 60)            # 31 minutes idle: ended, and stays so
        self.assertEnded(token)
        self.move_clock(60 * 60)
        self.assertEnded(token)

    def test_a_session_ends_after_12_hours_in_all(self):
        user, secret = self.enrolled()
        token = self.login(user, PASSWORD, self.code(secret))["body"]["session"]
        # A person busy all day: her last use 10 minutes ago stands for the uses every few
        # minutes before it (restarting the daemon for each would take long).
        h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
        key = "imvo:membership:{accounts}:session:" + h
        created = int(self.s.redis.cli("HGET", key, "created_at"))
        self.s.redis.cli("HSET", key, "seen_at", str(created + (11 * 60 + 49) * 60 * 1000))
        self.move_clock((11 * 60 + 59) * 60)
        r = self.session(token)
        self.assertTrue(r["ok"], r)
        # expires_at: the 12 hours' end, sooner than 30 minutes idle.
        self.assertEqual(r["body"]["expires_at"], created + 12 * 3600 * 1000)
        self.move_clock((12 * 60 + 1) * 60)
        self.assertEnded(token)


if __name__ == "__main__":
    unittest.main()
