/*  notify_route: who hears what (proto/README.md, "notify"), and what they read.

    One table: each event type, who hears it. Recipients are strings with the hash tag of
    their inbox: secretariat:<covenant>, committee:<covenant>, monitoring:<covenant>,
    org:<org_id>. The texts come from template files per event type and language
    (deploy/notify/templates/<type>.<lang>.tmpl: title, text and html lines, {field} the event
    body's field; {respondent} and {org_id} name the organisation, "<name> (<id>)", when notify
    knows its name), built into the daemon, or read from the directory IMVO_NOTIFY_TEMPLATES
    (an operator's own wording). The languages without files of their own (fr, es, bn, hi, zh,
    tr, vi) get the English templates translated through gettext: each line is a msgid of
    po/imvo-notify/<lang>.po (po/update.sh extracts them). At start every template is checked
    against the catalogue's entry of its event type (proto/catalogue_events.c): a template of an unknown type, or one
    that names a field the event's body does not have, stops notify, naming it; so does a
    routed type without its templates in both languages.
*/
#include "notify_internal.h"
#include "imvo_config.h"
#include "imvo_i18n.h"

extern const char notify_templates [];

typedef struct {
    char name [96];                 //  "<type>.<lang>"
    char *title, *text, *html;
} s_template_t;

#define S_TEMPLATES 256
static s_template_t s_templates [S_TEMPLATES];
static int s_ntemplates;

//  IMVO_NOTIFY_TEMPLATES's *.tmpl files in the embedded form ("== <file name>\n" and the file,
//  for each), or NULL (the reason logged).
static char *
s_read_dir (const char *path)
{
    zdir_t *dir = zdir_new (path, NULL);
    if (!dir) {
        zsys_error ("IMVO_NOTIFY_TEMPLATES: cannot read the directory %s", path);
        return NULL;
    }
    zchunk_t *all = zchunk_new (NULL, 65536);
    zfile_t **files = zdir_flatten (dir);
    for (size_t i = 0; files [i]; i++) {
        const char *name = zfile_filename (files [i], path);
        size_t len = strlen (name);
        if (len < 6 || strcmp (name + len - 5, ".tmpl") != 0 || zfile_input (files [i]))
            continue;
        zchunk_t *text = zfile_read (files [i], zfile_cursize (files [i]), 0);
        zchunk_extend (all, "== ", 3);
        zchunk_extend (all, name + (name [0] == '/'), len - (name [0] == '/'));
        zchunk_extend (all, "\n", 1);
        if (text)
            zchunk_append (all, zchunk_data (text), zchunk_size (text));
        zchunk_extend (all, "\n", 1);
        zchunk_destroy (&text);
        zfile_close (files [i]);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&dir);
    zchunk_extend (all, "", 1);
    char *s = strdup ((char *) zchunk_data (all));
    zchunk_destroy (&all);
    return s;
}

//  Each {field} of tmpl names a field of the event's body: 0, or -1 (logged).
static int
s_check_fields (const s_template_t *t, const char *tmpl, const imvo_proto_event_t *event)
{
    for (const char *p = strchr (tmpl, '{'); p; p = strchr (p + 1, '{')) {
        const char *close = strchr (p, '}');
        if (!close)
            break;
        char field [64];
        snprintf (field, sizeof field, "%.*s", (int) (close - p - 1), p + 1);
        if (!imvo_proto_names (event->fields, field)) {
            zsys_error ("template %s names {%s}, which %s does not carry (its fields: %s)", t->name, field,
                        event->type, event->fields);
            return -1;
        }
    }
    return 0;
}

//  Every template of a known event type, naming only its fields; every routed type in
//  both languages. 0, or -1 (logged).
static int
s_check_templates (void)
{
    for (int i = 0; i < s_ntemplates; i++) {
        const s_template_t *t = &s_templates [i];
        char type [96];
        snprintf (type, sizeof type, "%.95s", t->name);
        char *dot = strrchr (type, '.');
        if (dot)
            *dot = 0;
        const imvo_proto_event_t *event = imvo_proto_event_find (type);
        if (!event) {
            zsys_error ("template %s: there is no event type %s", t->name, type);
            return -1;
        }
        if (s_check_fields (t, t->title, event) || s_check_fields (t, t->text, event)
        ||  s_check_fields (t, t->html, event))
            return -1;
    }
    for (const char *const *type = notify_routed_types; *type; type++)
        for (int l = 0; l < 2; l++) {
            char name [96];
            snprintf (name, sizeof name, "%s.%s", *type, l ? "en" : "nl");
            int i = 0;
            while (i < s_ntemplates && strcmp (s_templates [i].name, name) != 0)
                i++;
            if (i == s_ntemplates) {
                zsys_error ("there is no template %s.tmpl", name);
                return -1;
            }
        }
    return 0;
}

//  One line of an English template in language l (po/imvo-notify/<lang>.po); the English line
//  when the translation names a field the event does not carry.
static char *
s_translated (const s_template_t *t, const char *line, int l, const imvo_proto_event_t *event)
{
    s_template_t one = *t;
    one.title = (char *) imvo_gettext (NOTIFY_DOMAIN, l, line);
    if (one.title != line && s_check_fields (&one, one.title, event)) {
        zsys_warning ("template %s: the %s translation names a field it should not; English instead", t->name,
                      imvo_lang_codes [l]);
        return strdup (line);
    }
    return strdup (one.title);
}

//  The languages without templates of their own (files <type>.<lang>.tmpl win): each English
//  template through gettext, the lines being the msgids.
static void
s_translate (void)
{
    int missing = imvo_i18n_init (NOTIFY_DOMAIN);
    if (missing)
        zsys_warning ("%d languages have no locale on this machine: their notifications are in English", missing);
    int n = s_ntemplates;
    for (int i = 0; i < n; i++) {
        const s_template_t *en = &s_templates [i];
        size_t len = strlen (en->name);
        if (len < 4 || strcmp (en->name + len - 3, ".en") != 0)
            continue;
        char type [92];
        snprintf (type, sizeof type, "%.*s", (int) (len - 3), en->name);
        const imvo_proto_event_t *event = imvo_proto_event_find (type);
        for (int l = 0; l < IMVO_LANGS && event; l++) {
            char name [96];
            snprintf (name, sizeof name, "%s.%s", type, imvo_lang_codes [l]);
            int k = 0;
            while (k < s_ntemplates && strcmp (s_templates [k].name, name) != 0)
                k++;
            if (k < s_ntemplates)
                continue;
            if (s_ntemplates == S_TEMPLATES) {
                zsys_error ("more than %d templates: %s is English", S_TEMPLATES, name);
                continue;
            }
            s_template_t *t = &s_templates [s_ntemplates++];
            snprintf (t->name, sizeof t->name, "%s", name);
            t->title = s_translated (en, en->title, l, event);
            t->text = s_translated (en, en->text, l, event);
            t->html = s_translated (en, en->html, l, event);
        }
    }
}

int
notify_templates_load (void)
{
    if (s_ntemplates)
        return 0;
    const char *dir = imvo_env ("IMVO_NOTIFY_TEMPLATES", NULL);
    char *all = dir ? s_read_dir (dir) : strdup (notify_templates), *save = NULL;
    if (!all)
        return -1;
    s_template_t *t = NULL;
    for (char *line = strtok_r (all, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        if (strncmp (line, "== ", 3) == 0 && s_ntemplates < S_TEMPLATES) {
            t = &s_templates [s_ntemplates++];
            snprintf (t->name, sizeof t->name, "%.*s", (int) (strlen (line + 3) - 5), line + 3);   //  less ".tmpl"
        }
        else
        if (t && strncmp (line, "title: ", 7) == 0)
            t->title = strdup (line + 7);
        else
        if (t && strncmp (line, "text: ", 6) == 0)
            t->text = strdup (line + 6);
        else
        if (t && strncmp (line, "html: ", 6) == 0)
            t->html = strdup (line + 6);
    }
    free (all);
    for (int i = 0; i < s_ntemplates; i++)
        if (!s_templates [i].title || !s_templates [i].text || !s_templates [i].html) {
            zsys_error ("template %s lacks a title, text or html line", s_templates [i].name);
            return -1;
        }
    if (!s_ntemplates)
        zsys_error ("there are no templates%s%s", dir ? " in " : "", dir ? dir : "");
    if (!s_ntemplates || s_check_templates ())
        return -1;
    s_translate ();
    return 0;
}

//  Appends the value of a body field to out, as text. The organisation an event is about
//  ({respondent}, {org_id}) reads "<name> (<id>)" when its name is known.
static void
s_field (zchunk_t *out, const msgpack_object *body, const char *name, size_t len, const char *org_name, bool html)
{
    char key [64];
    snprintf (key, sizeof key, "%.*s", (int) len, name);
    const msgpack_object *v = imvo_map_get (body, key);
    char buf [64], *named = NULL;
    const char *s = NULL;
    size_t n = 0;
    if (v && v->type == MSGPACK_OBJECT_STR && org_name && *org_name
    &&  (streq (key, "respondent") || streq (key, "org_id")))
        s = named = zsys_sprintf ("%s (%.*s)", org_name, (int) v->via.str.size, v->via.str.ptr), n = strlen (named);
    else
    if (v && v->type == MSGPACK_OBJECT_STR)
        s = v->via.str.ptr, n = v->via.str.size;
    else
    if (v && (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER || v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER))
        n = (size_t) snprintf (buf, sizeof buf, "%lld", (long long) v->via.i64), s = buf;
    else
    if (v && v->type == MSGPACK_OBJECT_FLOAT64)
        n = (size_t) snprintf (buf, sizeof buf, "%.15g", v->via.f64), s = buf;
    else
        s = "-", n = 1;
    for (size_t i = 0; i < n; i++) {
        const char *e = !html ? NULL : s [i] == '<' ? "&lt;" : s [i] == '>' ? "&gt;" : s [i] == '&' ? "&amp;"
                      : s [i] == '"' ? "&quot;" : NULL;
        if (e)
            zchunk_extend (out, e, strlen (e));
        else
            zchunk_extend (out, s + i, 1);
    }
    zstr_free (&named);
}

static char *
s_render (const char *tmpl, const msgpack_object *body, const char *org_name, bool html)
{
    zchunk_t *out = zchunk_new (NULL, 256);
    for (const char *p = tmpl; *p; ) {
        const char *close = *p == '{' ? strchr (p, '}') : NULL;
        if (close) {
            s_field (out, body, p + 1, (size_t) (close - p - 1), org_name, html);
            p = close + 1;
        }
        else
            zchunk_extend (out, p++, 1);
    }
    zchunk_extend (out, "", 1);
    char *s = strdup ((char *) zchunk_data (out));
    zchunk_destroy (&out);
    return s;
}

int
notify_render (const char *type, const char *lang, const msgpack_object *body, const char *org_name,
               notify_text_t *out)
{
    char name [96];
    snprintf (name, sizeof name, "%s.%s", type, lang);
    for (int i = 0; i < s_ntemplates; i++)
        if (streq (s_templates [i].name, name)) {
            out->title = s_render (s_templates [i].title, body, org_name, false);
            out->text = s_render (s_templates [i].text, body, org_name, false);
            out->html = s_render (s_templates [i].html, body, org_name, true);
            return 0;
        }
    return -1;
}

void
notify_text_release (notify_text_t *t)
{
    zstr_free (&t->title);
    zstr_free (&t->text);
    zstr_free (&t->html);
}

//  The table.
static int
s_add (char out [][NOTIFY_RECIPIENT_MAX], int n, int max, const char *kind, const char *id)
{
    if (n < max && id && *id)
        snprintf (out [n++], NOTIFY_RECIPIENT_MAX, "%s:%s", kind, id);
    return n;
}

//  Whether out already holds kind:id.
static bool
s_has (char out [][NOTIFY_RECIPIENT_MAX], int n, const char *kind, const char *id)
{
    char want [NOTIFY_RECIPIENT_MAX];
    snprintf (want, sizeof want, "%s:%s", kind, id);
    for (int i = 0; i < n; i++)
        if (streq (out [i], want))
            return true;
    return false;
}

int
notify_route (const char *type, const msgpack_object *body, char out [][NOTIFY_RECIPIENT_MAX], int max)
{
    char covenant [40] = "", respondent [72] = "", org [72] = "", from [32] = "", owner [32] = "";
    imvo_obj_strcpy (imvo_map_get (body, "covenant"), covenant, sizeof covenant);
    imvo_obj_strcpy (imvo_map_get (body, "respondent"), respondent, sizeof respondent);
    imvo_obj_strcpy (imvo_map_get (body, "org_id"), org, sizeof org);
    imvo_obj_strcpy (imvo_map_get (body, "from"), from, sizeof from);
    imvo_obj_strcpy (imvo_map_get (body, "owner"), owner, sizeof owner);
    int n = 0;
    if (strncmp (type, "complaint.", 10) == 0) {
        //  The covenant's secretariat and committee hear every complaint event.
        n = s_add (out, n, max, "secretariat", covenant);
        n = s_add (out, n, max, "committee", covenant);
        //  The respondent hears its case from admissibility on (the secretariat informs it when
        //  the check opens), and the deadlines it owes; not of a case ended before that.
        char to [32] = "";
        imvo_obj_strcpy (imvo_map_get (body, "to"), to, sizeof to);
        if ((streq (type, "complaint.status_changed") && (streq (to, "admissibility") || (*from && !streq (from, "received"))))
        ||  streq (type, "complaint.decided") || streq (type, "complaint.published")
        ||  (streq (type, "complaint.deadline_due") && streq (owner, "company")))
            n = s_add (out, n, max, "org", respondent);
        //  The complainant hears of every move of the case, in the inbox its receipt opens
        //  (inbox.by_receipt); the events carry nothing that identifies the complainant.
        if (streq (type, "complaint.status_changed") || streq (type, "complaint.decided")
        ||  streq (type, "complaint.published")) {
            char case_id [40] = "";
            imvo_obj_strcpy (imvo_map_get (body, "case_id"), case_id, sizeof case_id);
            n = s_add (out, n, max, "complainant", case_id);
        }
        //  A trade association hears of a case against a company it lists (member.associates)
        //  whenever the company does; a dispute's claimant party hears of every move of it.
        char association [72] = "", claimant [72] = "";
        imvo_obj_strcpy (imvo_map_get (body, "association"), association, sizeof association);
        imvo_obj_strcpy (imvo_map_get (body, "claimant_org"), claimant, sizeof claimant);
        if (*association && s_has (out, n, "org", respondent))
            n = s_add (out, n, max, "org", association);
        if (streq (type, "complaint.status_changed") || streq (type, "complaint.decided"))
            n = s_add (out, n, max, "org", claimant);
        //  Linked companies hear that a complaint names a place they source from.
        const msgpack_object *linked = streq (type, "complaint.linked") ? imvo_map_get (body, "companies") : NULL;
        for (uint32_t i = 0; linked && linked->type == MSGPACK_OBJECT_ARRAY && i < linked->via.array.size; i++) {
            char id [72];
            if (imvo_obj_strcpy (&linked->via.array.ptr [i], id, sizeof id) == 0)
                n = s_add (out, n, max, "org", id);
        }
    }
    else
    if (streq (type, "assessment.started") || streq (type, "assessment.completed")
    ||  streq (type, "assessment.commented"))
        n = s_add (out, n, max, "monitoring", covenant);
    else
    //  The assessor's step: a company hears of the committee's verdict on its plan (it has two
    //  weeks to comment); the committee and the secretariat hear the results are public.
    if (streq (type, "assessment.verified"))
        n = s_add (out, n, max, "org", org);
    else
    if (streq (type, "assessment.published")) {
        n = s_add (out, n, max, "monitoring", covenant);
        n = s_add (out, n, max, "secretariat", covenant);
    }
    else
    if (streq (type, "assessment.scored") || streq (type, "assessment.corrected")) {
        //  Each company hears only its own result; the committee hears all.
        n = s_add (out, n, max, "monitoring", covenant);
        n = s_add (out, n, max, "org", org);
    }
    else
    if (streq (type, "member.joined") || streq (type, "member.left") || streq (type, "location.list_published"))
        n = s_add (out, n, max, "secretariat", covenant);
    else
    //  A covenant's term ran out, or what happened was recorded: its secretariat (the deadline
    //  is theirs). The 4 July list: a company hears its own reminder; an overdue disclosure
    //  both the company and the secretariat.
    if (streq (type, "covenant.term_due") || streq (type, "covenant.term_recorded"))
        n = s_add (out, n, max, "secretariat", covenant);
    else
    if (streq (type, "location.disclosure_reminder"))
        n = s_add (out, n, max, "org", org);
    else
    if (streq (type, "location.disclosure_overdue")) {
        n = s_add (out, n, max, "secretariat", covenant);
        n = s_add (out, n, max, "org", org);
    }
    return n;
}

const char *const notify_routed_types [] = {
    "complaint.received", "complaint.status_changed", "complaint.decided", "complaint.published", "complaint.deadline_due",
    "complaint.linked", "assessment.started", "assessment.scored", "assessment.completed", "assessment.corrected",
    "assessment.verified", "assessment.commented", "assessment.published",
    "member.joined", "member.left", "location.list_published", "covenant.term_due", "covenant.term_recorded",
    "location.disclosure_reminder", "location.disclosure_overdue", NULL };
