#!/usr/bin/env bash
# Extracts the texts to translate into po/<domain>/<domain>.pot and merges them into each
# language's .po (msgmerge keeps what translators wrote; a changed text becomes fuzzy).
#   po/update.sh          both domains
# The portal's texts are the N_("...") and portal_tr (lang, "...") of its worker-facing pages;
# notify's are the lines of the English templates (deploy/notify/templates/*.en.tmpl).
set -euo pipefail
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 --language=C --keyword=N_ --keyword=portal_tr:2 --add-comments=TRANSLATORS: \
  --package-name=imvo-portal --msgid-bugs-address=secretariat@imvo.example --sort-by-file \
  -o po/imvo-portal/imvo-portal.pot \
  services/portal/portal_html.c services/portal/portal_complaint.c services/portal/portal_status.c \
  services/portal/portal_public.c services/portal/portal_places.c services/portal/portal_evidence_page.c \
  services/portal/portal_server.c
python3 po/notify_pot.py > po/imvo-notify/imvo-notify.pot
for domain in imvo-portal imvo-notify; do
  for po in po/$domain/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" po/$domain/$domain.pot
  done
done
