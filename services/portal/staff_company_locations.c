/*  staff_company_locations: a company discloses a year's production locations as a CSV file,
    with a preview before anything is written.

    The file comes as multipart/form-data (field `file`, at most 1,000,000 bytes, location.import's
    bound), streamed into an encrypted temporary file by portal_evidence.c like a complainant's
    files, and read back whole here. The preview asks location.import with preview: true
    (membership checks and matches every row and writes nothing) and shows what is new, what
    matches a known location exactly or nearly, and what would be flagged for the secretariat.
    The file is kept in this process (S_KEPT slots, S_KEPT_MS, for the person who sent it) under
    a random token the confirm form carries; confirming sends the same CSV to location.import,
    all rows or none. A person keeps at most S_KEPT_PER_PERSON files: a new preview replaces
    that person's oldest, so one person previewing again and again never pushes out another's
    waiting file (only when more than S_KEPT / S_KEPT_PER_PERSON people wait at once does the
    oldest file of all go). A portal that restarts in between forgets it: the page then asks for the
    file again. Behind several portals, the confirm must reach the same one (sticky sessions).
    See staff.h. */
#include "staff.h"

#include <pthread.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_CSV_MAX 1000000                   //  location.import's csv field
#define S_KEPT 32
#define S_KEPT_PER_PERSON 2
#define S_KEPT_MS (30LL * 60 * 1000)

static const char *const s_csv_types [] = {
    "text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/comma-separated-values", NULL };
static const portal_staff_upload_t s_uploads [] = {
    { "/staff/company/locations/preview", s_csv_types, S_CSV_MAX },
    { NULL, NULL, 0 } };

//  The console's file forms: this CSV, and a plan's documents (staff_company_documents.c).
const portal_staff_upload_t *
portal_evidence_staff (const char *url)
{
    for (int i = 0; s_uploads [i].url; i++)
        if (streq (url, s_uploads [i].url))
            return &s_uploads [i];
    return streq (url, staff_company_document_upload.url) ? &staff_company_document_upload : NULL;
}

//  --- the files kept between preview and confirm -------------------------------------------------

typedef struct {
    char token [33], username [65], covenant [40];
    int64_t year, at;
    char *csv;
} s_kept_t;

static s_kept_t s_kept [S_KEPT];
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

static void
s_drop (s_kept_t *k)
{
    if (k->csv) {
        sodium_memzero (k->csv, strlen (k->csv));
        free (k->csv);
    }
    memset (k, 0, sizeof *k);
}

//  Keeps csv (taken) for the person; its token into token.
static void
s_keep (staff_t *x, const char *covenant, int64_t year, char *csv, char token [33])
{
    unsigned char raw [16];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (token, 33, raw, sizeof raw);
    int64_t now = zclock_mono ();
    pthread_mutex_lock (&s_lock);
    //  Expired files go; the slot is the person's oldest file when it keeps S_KEPT_PER_PERSON
    //  already, else a free one, else the oldest file of all.
    s_kept_t *own_oldest = NULL, *free_slot = NULL, *oldest = NULL;
    int own = 0;
    for (int i = 0; i < S_KEPT; i++) {
        s_kept_t *k = &s_kept [i];
        if (k->csv && now - k->at > S_KEPT_MS)
            s_drop (k);
        if (!k->csv) {
            free_slot = free_slot ? free_slot : k;
            continue;
        }
        if (streq (k->username, x->s.username)) {
            own++;
            if (!own_oldest || k->at < own_oldest->at)
                own_oldest = k;
        }
        if (!oldest || k->at < oldest->at)
            oldest = k;
    }
    s_kept_t *slot = own >= S_KEPT_PER_PERSON ? own_oldest : free_slot ? free_slot : oldest;
    s_drop (slot);
    snprintf (slot->token, sizeof slot->token, "%s", token);
    snprintf (slot->username, sizeof slot->username, "%s", x->s.username);
    snprintf (slot->covenant, sizeof slot->covenant, "%s", covenant);
    slot->year = year;
    slot->at = now;
    slot->csv = csv;
    pthread_mutex_unlock (&s_lock);
}

//  A copy of the person's kept file for token (the caller frees), or NULL; drop: forget it.
static char *
s_kept_csv (staff_t *x, const char *token, char covenant [40], int64_t *year, bool drop)
{
    char *out = NULL;
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_KEPT; i++) {
        s_kept_t *k = &s_kept [i];
        if (!k->csv || strlen (token) != 32 || sodium_memcmp (k->token, token, 32) != 0
        ||  !streq (k->username, x->s.username) || zclock_mono () - k->at > S_KEPT_MS)
            continue;
        if (drop)
            s_drop (k);
        else {
            out = strdup (k->csv);
            snprintf (covenant, 40, "%s", k->covenant);
            *year = k->year;
        }
    }
    pthread_mutex_unlock (&s_lock);
    return out;
}

//  --- the pages ------------------------------------------------------------------------------------

static int64_t
s_year (const char *v)
{
    char *end;
    long y = strtol (v, &end, 10);
    return *v && !*end && y >= 2000 && y <= 2100 ? y : -1;
}

static enum MHD_Result
s_bad (staff_t *x, const char *message)
{
    return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), message);
}

//  The preview's reply as the page shows it: the counts, the near matches and the flags.
static void
s_preview_body (staff_t *x, portal_buf_t *b, const msgpack_object *body)
{
    const msgpack_object *counts = imvo_map_get (body, "counts");
    static const char *const kinds [] = { "new", "exact", "near", "flagged" };
    const char *words [] = { TR (x, "nieuw", "new"), TR (x, "precies bekend", "known exactly"),
                             TR (x, "bijna gelijk aan een bekende", "nearly the same as a known one"),
                             TR (x, "ter beoordeling voor het secretariaat", "flagged for the secretariat") };
    portal_buf_add (b, "<p>%s: <strong id=\"rows\">", TR (x, "Regels", "Rows"));
    portal_buf_obj (b, imvo_map_get (body, "rows"));
    portal_buf_add (b, "</strong></p><ul id=\"counts\">");
    for (int k = 0; k < 4; k++) {
        portal_buf_add (b, "<li data-kind=\"%s\">", kinds [k]);
        portal_buf_obj (b, imvo_map_get (counts, kinds [k]));
        portal_buf_add (b, " %s</li>", words [k]);
    }
    portal_buf_add (b, "</ul>");
    const msgpack_object *near = imvo_map_get (body, "near"), *flagged = imvo_map_get (body, "flagged");
    if (near && near->type == MSGPACK_OBJECT_ARRAY && near->via.array.size) {
        portal_buf_add (b, "<h3>%s</h3><ul id=\"near\">", TR (x, "Bijna gelijk", "Nearly the same"));
        for (uint32_t i = 0; i < near->via.array.size && i < 200; i++) {
            const msgpack_object *n = &near->via.array.ptr [i];
            portal_buf_add (b, "<li>%s ", TR (x, "regel", "line"));
            portal_buf_obj (b, imvo_map_get (n, "line"));
            portal_buf_add (b, ": ");
            portal_buf_obj (b, imvo_map_get (n, "name"));
            portal_buf_add (b, " → ");
            portal_buf_obj (b, imvo_map_get (n, "location_id"));
            portal_buf_add (b, "</li>");
        }
        portal_buf_add (b, "</ul>");
    }
    if (flagged && flagged->type == MSGPACK_OBJECT_ARRAY && flagged->via.array.size) {
        portal_buf_add (b, "<h3>%s</h3><p class=\"help\">%s</p><ul id=\"flagged\">", TR (x, "Ter beoordeling", "Flagged"),
                        TR (x, "Deze regels lijken op meer dan één bekende locatie; het secretariaat beslist na het opslaan.",
                            "These rows look like more than one known location; the secretariat decides after you save."));
        for (uint32_t i = 0; i < flagged->via.array.size && i < 200; i++) {
            const msgpack_object *f = &flagged->via.array.ptr [i], *cands = imvo_map_get (f, "candidates");
            portal_buf_add (b, "<li>%s ", TR (x, "regel", "line"));
            portal_buf_obj (b, imvo_map_get (f, "line"));
            portal_buf_add (b, ": %u %s</li>", cands && cands->type == MSGPACK_OBJECT_ARRAY ? cands->via.array.size : 0,
                            TR (x, "mogelijke overeenkomsten", "possible matches"));
        }
        portal_buf_add (b, "</ul>");
    }
}

static enum MHD_Result
s_preview (staff_t *x)
{
    char error [700];
    if (portal_evidence_refusal (x->r, x->lang, error, sizeof error) == MHD_HTTP_CONTENT_TOO_LARGE)
        return staff_error (x, MHD_HTTP_CONTENT_TOO_LARGE, TR (x, "Bestand te groot", "File too large"),
                            TR (x, "Het CSV-bestand is groter dan 1 MB. Splits het. Er is niets opgeslagen.",
                                "The CSV file is larger than 1 MB. Split it. Nothing was saved."));
    if (portal_evidence_files (x->r) != 1)
        return s_bad (x, TR (x, "Kies één CSV-bestand (tekst, met kolommen gescheiden door komma's).",
                             "Choose one CSV file (text, columns separated by commas)."));
    const char *covenant = portal_field (x->r, "covenant");
    int64_t year = s_year (portal_field (x->r, "year"));
    if (!portal_code_ok (covenant) || year < 0)
        return s_bad (x, TR (x, "Kies een convenant en een jaar (bijvoorbeeld 2026).", "Choose a covenant and a year (for example 2026)."));
    char *csv = malloc (S_CSV_MAX + 1);
    long n = csv ? portal_evidence_file (x->r, 0, csv, S_CSV_MAX + 1, NULL, NULL) : -1;
    if (n <= 0) {
        free (csv);
        return s_bad (x, TR (x, "Het bestand is leeg of kwam niet heel aan.", "The file is empty or did not arrive whole."));
    }
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "membership", "location.import", "ssisb", "covenant", covenant, "org_id", x->s.org,
                         "year", year, "csv", csv, "preview", 1);
    if (rc == STAFF_WAIT) {
        free (csv);
        return MHD_YES;
    }
    if (rc || !resp.ok) {
        free (csv);
        return staff_failed (x, rc, &resp);
    }
    char token [33];
    s_keep (x, covenant, year, csv, token);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s %lld: %s", TR (x, "Voorbeeld van de locaties", "Preview of the locations"),
              (long long) year, covenant);
    staff_page_start (x, &b, title);
    portal_buf_add (&b, "<p role=\"status\">%s</p>", TR (x, "Er is nog niets opgeslagen. Controleer het overzicht en bevestig.",
                                                        "Nothing is saved yet. Check the overview and confirm."));
    s_preview_body (x, &b, resp.body);
    imvo_response_release (&resp);
    staff_form (x, &b, "/staff/company/locations/confirm");
    portal_hidden (&b, "kept", token);
    portal_buf_add (&b, "<button type=\"submit\">%s</button></form><p><a href=\"/staff/company/locations?lang=%s&amp;covenant=",
                    TR (x, "Bevestigen en opslaan", "Confirm and save"), staff_lang (x));
    staff_buf_url (&b, covenant);
    portal_buf_add (&b, "\">%s</a></p>", TR (x, "Een ander bestand kiezen", "Choose another file"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

static enum MHD_Result
s_confirm (staff_t *x)
{
    const char *token = portal_field (x->r, "kept");
    char covenant [40] = "";
    int64_t year = 0;
    char *csv = s_kept_csv (x, token, covenant, &year, false);
    if (!csv)
        return staff_error (x, MHD_HTTP_CONFLICT, TR (x, "Bestand niet meer bekend", "File no longer known"),
                            TR (x, "Het voorbeeld is verlopen (na 30 minuten) of al opgeslagen. Kies het bestand opnieuw.",
                                "The preview has expired (after 30 minutes) or was saved already. Choose the file again."));
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "membership", "location.import", "ssis", "covenant", covenant, "org_id", x->s.org,
                         "year", year, "csv", csv);
    sodium_memzero (csv, strlen (csv));
    free (csv);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    int64_t rows = 0;
    imvo_obj_int (imvo_map_get (resp.body, "rows"), &rows);
    imvo_response_release (&resp);
    s_kept_csv (x, token, covenant, &year, true);
    char path [160];
    snprintf (path, sizeof path, "/staff/company/locations?saved=%lld&covenant=%s", (long long) rows, covenant);
    return staff_done (x, path);
}

enum MHD_Result
staff_company_locations (staff_t *x, const char *action)
{
    if (x->post && streq (action, "preview"))
        return s_preview (x);
    if (x->post && streq (action, "confirm"))
        return s_confirm (x);
    if (x->post || *action)
        return staff_not_found (x);
    imvo_response_t org;
    if (staff_company_org (x, &org))
        return staff_failed (x, -1, &org);
    char covenant [40];
    staff_company_covenant (x, &org, covenant);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Productielocaties", "Production locations"));
    const char *saved = staff_query (x, "saved");
    if (*saved) {
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\" id=\"saved\">");
        portal_buf_str (&b, saved);
        portal_buf_add (&b, " %s</p>", TR (x, "locaties opgeslagen.", "locations saved."));
    }
    if (!*covenant) {
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Uw bedrijf is bij geen convenant aangesloten.", "Your company is in no covenant."));
        imvo_response_release (&org);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    portal_buf_add (&b, "<p>%s</p><p class=\"help\">%s</p>",
                    TR (x, "Upload de lijst van uw productielocaties van een jaar. U ziet eerst wat overeenkomt en wat "
                           "wordt gemarkeerd; pas na uw bevestiging wordt de lijst opgeslagen (alle regels of geen).",
                        "Upload the list of your production locations of a year. You first see what matches and what is "
                        "flagged; the list is saved only once you confirm (all rows or none)."),
                    TR (x, "De eerste regel noemt de kolommen: name, address en country zijn nodig; city, region, workers "
                           "en product_type mogen. Een land als code (VN) of naam (Viet Nam). Ten hoogste 1 MB.",
                        "The first line names the columns: name, address and country are needed; city, region, workers "
                        "and product_type may be there. A country as a code (VN) or a name (Viet Nam). At most 1 MB."));
    portal_buf_add (&b, "<form method=\"post\" action=\"/staff/company/locations/preview\" enctype=\"multipart/form-data\">");
    portal_hidden (&b, "csrf", x->s.csrf);
    portal_hidden (&b, "lang", staff_lang (x));
    portal_buf_add (&b, "<label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    portal_t (x->lang, T_COVENANT));
    const msgpack_object *list = imvo_map_get (org.body, "memberships");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "covenant"), code, sizeof code);
        if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "status"), "active"))
            portal_buf_add (&b, "<option%s>%s</option>", streq (code, covenant) ? " selected" : "", code);
    }
    imvo_response_release (&org);
    portal_buf_add (&b, "</select><label for=\"year\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"year\" "
                        "name=\"year\" required maxlength=\"4\" pattern=\"[0-9]{4}\" value=\"%lld\">"
                        "<label for=\"file\">%s</label><input type=\"file\" id=\"file\" name=\"file\" required "
                        "accept=\".csv,text/csv,text/plain\"><button type=\"submit\">%s</button></form>",
                    TR (x, "Jaar", "Year"), (long long) staff_company_year () - 1, TR (x, "CSV-bestand", "CSV file"),
                    TR (x, "Voorbeeld bekijken", "Show the preview"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}
