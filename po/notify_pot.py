#!/usr/bin/env python3
"""notify's .pot: each line (title, text, html) of the English templates
(deploy/notify/templates/<type>.en.tmpl) is a msgid; {field} stays as it is in a translation."""
import glob
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


print('''# notify's templates (deploy/notify/templates/*.en.tmpl), one msgid a line.
msgid ""
msgstr ""
"Project-Id-Version: imvo-notify\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
''')
seen = set()
for path in sorted(glob.glob(os.path.join(root, "deploy/notify/templates/*.en.tmpl"))):
    name = os.path.basename(path)
    for n, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
        for key in ("title: ", "text: ", "html: "):
            if line.startswith(key):
                text = line[len(key):]
                if text in seen:
                    continue
                seen.add(text)
                print("#. %s %s\n#: deploy/notify/templates/%s:%d\nmsgid %s\nmsgstr \"\"\n" % (
                    name[:-len(".en.tmpl")], key[:-2], name, n, quote(text)))
