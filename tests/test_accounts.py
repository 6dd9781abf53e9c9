"""Accounts of persons (issue 19, item 1): account.create gives an enrollment token; account.enroll
sets the password (Argon2id) and gives the TOTP secret; account.verify, for services (the portal),
checks both; five wrong logins lock an account for 15 minutes; a token works once and lapses after
72 hours; account.list never shows a secret. The test computes TOTP codes itself (RFC 6238: HMAC-SHA1,
6 digits, 30 s steps). The clock-bound rules are tested on a system of their own, whose membership
is restarted with IMVO_CLOCK_OFFSET_S."""
import base64
import hashlib
import hmac
import struct
import time
import unittest
import uuid

from harness import SharedSystem, System

SERVICE = {"role": "service"}
PASSWORD = "correct horse battery"


def totp(secret, at=None, step=0):
    """The RFC 6238 code of a base32 secret at unix time `at` (default now), `step` steps away."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30) + step
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


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

    def verify(self, user, password, code):
        return self.s.call("membership", "account.verify", {"username": user, "password": password, "totp": code},
                           actor=SERVICE)

    def assertError(self, r, code, field=None):
        self.assertIsNotNone(r)
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], code, r)
        if field:
            self.assertEqual(r["error"].get("field"), field, r)


class Accounts(AccountMixin, SharedSystem):

    SERVICES = ["membership"]

    def test_create_enroll_verify(self):
        made = self.create(lang="en")
        self.assertEqual(len(made["enroll_token"]), 64)
        r = self.enroll(made["enroll_token"])
        self.assertTrue(r["ok"], r)
        secret = r["body"]["totp_secret"]
        self.assertEqual(r["body"]["username"], made["username"])
        self.assertEqual(len(base64.b32decode(secret)), 20)
        r = self.verify(made["username"], PASSWORD, totp(secret))
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["body"], {"username": made["username"], "name": "Anna de Vries", "role": "secretariat",
                                     "org": "", "lang": "en"})
        # One step either side is accepted, two are not.
        self.assertTrue(self.verify(made["username"], PASSWORD, totp(secret, step=-1))["ok"])
        self.assertTrue(self.verify(made["username"], PASSWORD, totp(secret, step=1))["ok"])
        self.assertError(self.verify(made["username"], PASSWORD, totp(secret, step=3)), "forbidden")

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
        a = self.verify(user, PASSWORD, wrong)
        b = self.verify(user, "not the password", code)
        c = self.verify("p.nobody-" + uuid.uuid4().hex[:6], PASSWORD, code)
        for r in (a, b, c):
            self.assertError(r, "forbidden", "password")
        self.assertEqual(a["error"]["message"], b["error"]["message"])
        self.assertEqual(a["error"]["message"], c["error"]["message"])
        self.assertTrue(self.verify(user, PASSWORD, code)["ok"])

    def test_only_services_verify(self):
        user, secret = self.enrolled()
        for actor in ({"role": "secretariat"}, False, {"role": "company", "org": "org-1"}):
            r = self.s.call("membership", "account.verify", {"username": user, "password": PASSWORD,
                                                             "totp": totp(secret)}, actor=actor)
            self.assertError(r, "forbidden")

    def test_five_wrong_passwords_lock_the_account(self):
        user, secret = self.enrolled()
        for _ in range(5):
            self.assertError(self.verify(user, "wrong password!", totp(secret)), "forbidden", "password")
        r = self.verify(user, PASSWORD, totp(secret))
        self.assertError(r, "forbidden")
        self.assertIn("locked", r["error"]["message"])

    def test_a_token_works_once(self):
        made = self.create()
        self.assertTrue(self.enroll(made["enroll_token"])["ok"])
        self.assertError(self.enroll(made["enroll_token"], "another password"), "not_found", "enroll_token")
        self.assertError(self.enroll("f" * 64), "not_found", "enroll_token")

    def test_an_unenrolled_or_disabled_account_cannot_sign_in(self):
        pending = self.create()["username"]
        self.assertError(self.verify(pending, PASSWORD, "123456"), "forbidden")
        user, secret = self.enrolled()
        self.assertEqual(self.s.ok("membership", "account.disable", {"username": user}),
                         {"username": user, "status": "disabled"})
        self.assertError(self.verify(user, PASSWORD, totp(secret)), "forbidden", "password")
        self.assertError(self.s.call("membership", "account.disable", {"username": username()}), "not_found")

    def test_reset_makes_the_person_enroll_again(self):
        user, secret = self.enrolled()
        token = self.s.ok("membership", "account.reset", {"username": user, "what": "totp"})["enroll_token"]
        self.assertError(self.verify(user, PASSWORD, totp(secret)), "forbidden")
        r = self.enroll(token, "a brand new password")
        self.assertTrue(r["ok"], r)
        self.assertNotEqual(r["body"]["totp_secret"], secret)
        self.assertTrue(self.verify(user, "a brand new password", totp(r["body"]["totp_secret"]))["ok"])
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
                                      "role": "committee", "org": "", "lang": "nl", "status": "active"})
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
        self.assertTrue(self.verify(user, PASSWORD, totp(secret))["ok"])
        out = self.s.imvoctl("account", "list", check=True).stdout
        self.assertIn(user, out)
        self.assertNotIn(secret, out)


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
            self.assertError(self.verify(user, "wrong password!", self.code(secret)), "forbidden")
        self.assertError(self.verify(user, PASSWORD, self.code(secret)), "forbidden")
        self.move_clock(14 * 60)
        self.assertError(self.verify(user, PASSWORD, self.code(secret)), "forbidden")
        self.move_clock(16 * 60)
        r = self.verify(user, PASSWORD, self.code(secret))
        self.assertTrue(r["ok"], r)

    def test_a_token_lapses_after_72_hours(self):
        early, late = self.create(), self.create()
        self.move_clock(71 * 3600)
        self.assertTrue(self.enroll(early["enroll_token"])["ok"])
        self.move_clock(72 * 3600 + 60)
        self.assertError(self.enroll(late["enroll_token"]), "not_found", "enroll_token")


if __name__ == "__main__":
    unittest.main()
