/*  staff_company_risks: the risks a company names in its action plan (submission.put's risks:
    theme, country, severity 1-4), as rows of the plan's form: the rows it sent before and a few
    empty ones. A row counts when its theme is filled; then its country (an ISO code) and
    severity are needed, and a wrong row is named before anything is sent. Scoring ranks the
    sector's risks from them (the collective risks). See staff.h. */
#include "staff.h"

#include <ctype.h>

#define S_EMPTY_ROWS 3                      //  empty rows after the ones sent before
#define S_MAX_ROWS 20                       //  rows the form holds (SCORING_MAX_RISKS is more)

//  The posted field risk.<i>.<what>.
static const char *
s_field (staff_t *x, int i, const char *what)
{
    char name [48];
    snprintf (name, sizeof name, "risk.%d.%s", i, what);
    return portal_field (x->r, name);
}

void
staff_company_risk_fields (staff_t *x, portal_buf_t *b, const msgpack_object *risks)
{
    uint32_t had = risks && risks->type == MSGPACK_OBJECT_ARRAY ? risks->via.array.size : 0;
    int rows = (int) had + S_EMPTY_ROWS > S_MAX_ROWS ? S_MAX_ROWS : (int) had + S_EMPTY_ROWS;
    portal_buf_add (b, "<fieldset class=\"card\"><legend>%s</legend><p class=\"help\" id=\"risk-help\">%s</p>",
                    TR (x, "Geïdentificeerde risico's (optioneel)", "Identified risks (optional)"),
                    TR (x, "Per risico: het thema (bijvoorbeeld child_labour, living_wage), het land als ISO-code (BD) "
                           "en de ernst van 1 (laag) tot 4 (zeer ernstig). Een rij zonder thema telt niet.",
                        "Per risk: its theme (for example child_labour, living_wage), the country as an ISO code (BD) "
                        "and its severity from 1 (low) to 4 (very severe). A row without a theme does not count."));
    for (int i = 0; i < rows; i++) {
        const msgpack_object *r = i < (int) had ? &risks->via.array.ptr [i] : NULL;
        int64_t severity = 0;
        if (r)
            imvo_obj_int (imvo_map_get (r, "severity"), &severity);
        portal_buf_add (b, "<fieldset><legend>%s %d</legend><div class=\"row\"><div><label for=\"risk-%d-theme\">%s</label>"
                           "<input type=\"text\" id=\"risk-%d-theme\" name=\"risk.%d.theme\" maxlength=\"200\" "
                           "aria-describedby=\"risk-help\" value=\"", TR (x, "Risico", "Risk"), i + 1, i,
                        TR (x, "Thema", "Theme"), i, i);
        if (r)
            portal_buf_obj (b, imvo_map_get (r, "theme"));
        portal_buf_add (b, "\"></div><div><label for=\"risk-%d-country\">%s</label><input type=\"text\" id=\"risk-%d-country\" "
                           "name=\"risk.%d.country\" maxlength=\"2\" pattern=\"[A-Za-z]{2}\" autocomplete=\"off\" value=\"",
                        i, TR (x, "Land", "Country"), i, i);
        if (r)
            portal_buf_obj (b, imvo_map_get (r, "country"));
        portal_buf_add (b, "\"></div><div><label for=\"risk-%d-severity\">%s</label><select id=\"risk-%d-severity\" "
                           "name=\"risk.%d.severity\"><option value=\"\">–</option>", i, TR (x, "Ernst", "Severity"), i, i);
        for (int s = 1; s <= 4; s++)
            portal_buf_add (b, "<option%s>%d</option>", severity == s ? " selected" : "", s);
        portal_buf_add (b, "</select></div></div></fieldset>");
    }
    portal_buf_add (b, "</fieldset>");
}

int
staff_company_risks_count (staff_t *x, char *error, size_t size)
{
    int n = 0;
    for (int i = 0; i < S_MAX_ROWS; i++) {
        const char *theme = s_field (x, i, "theme"), *country = s_field (x, i, "country"),
                   *severity = s_field (x, i, "severity");
        if (!*theme) {
            if (*country || *severity) {
                snprintf (error, size, "%s %d: %s", TR (x, "Risico", "Risk"), i + 1,
                          TR (x, "vul het thema in, of maak de rij leeg.", "fill in its theme, or empty the row."));
                return -1;
            }
            continue;
        }
        bool country_ok = strlen (country) == 2 && isalpha ((unsigned char) country [0]) && isalpha ((unsigned char) country [1]);
        bool severity_ok = strlen (severity) == 1 && severity [0] >= '1' && severity [0] <= '4';
        if (!country_ok || !severity_ok || strlen (theme) > 200) {
            snprintf (error, size, "%s %d: %s", TR (x, "Risico", "Risk"), i + 1,
                      TR (x, "een thema van ten hoogste 200 tekens, een land als ISO-code van twee letters en een ernst "
                             "van 1 tot 4.", "a theme of at most 200 characters, a country as a two-letter ISO code and a "
                             "severity from 1 to 4."));
            return -1;
        }
        n++;
    }
    return n;
}

void
staff_company_risks_pack (staff_t *x, msgpack_packer *pk, int n)
{
    imvo_pack_str (pk, "risks");
    msgpack_pack_array (pk, (uint32_t) n);
    for (int i = 0; i < S_MAX_ROWS && n; i++) {
        const char *theme = s_field (x, i, "theme"), *country = s_field (x, i, "country");
        if (!*theme)
            continue;
        char code [3] = { (char) toupper ((unsigned char) country [0]), (char) toupper ((unsigned char) country [1]), 0 };
        msgpack_pack_map (pk, 3);
        imvo_pack_kv_str (pk, "theme", theme);
        imvo_pack_kv_str (pk, "country", code);
        imvo_pack_kv_int (pk, "severity", s_field (x, i, "severity") [0] - '0');
        n--;
    }
}
