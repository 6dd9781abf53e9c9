/*  staff_disputes_follow: what a party sees of its disputes once filed: its open disputes on
    /staff/disputes (staff_disputes.c), and both parties by name on a dispute's case page
    (staff_company_case.c). See staff.h. */
#include "staff.h"

//  The company's open disputes as the claimant party (org.get's open_cases, side claimant).
void
staff_own_disputes (staff_t *x, portal_buf_t *b, const imvo_response_t *org)
{
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-own\"><h2 id=\"h-own\">%s</h2>",
                    TR (x, "Lopende geschillen van uw organisatie", "Your organisation's open disputes"));
    const msgpack_object *open = imvo_map_get (org->body, "open_cases");
    uint32_t shown = 0;
    staff_orgs_t orgs;                  //  the other parties' names (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    for (uint32_t i = 0; open && open->type == MSGPACK_OBJECT_MAP && i < open->via.map.size; i++) {
        const msgpack_object *cases = &open->via.map.ptr [i].val;
        char covenant [40] = "";
        imvo_obj_strcpy (&open->via.map.ptr [i].key, covenant, sizeof covenant);
        for (uint32_t k = 0; cases->type == MSGPACK_OBJECT_ARRAY && k < cases->via.array.size; k++) {
            const msgpack_object *c = &cases->via.array.ptr [k];
            if (!imvo_obj_streq (imvo_map_get (c, "side"), "claimant"))
                continue;
            char status [32], when [32];
            if (!shown++)
                portal_buf_add (b, "<ul id=\"disputes\">");
            staff_company_case_item (x, b, c, status, when);        //  staff_company.c
            portal_buf_add (b, " <span class=\"help\">(%s ", TR (x, "tegen", "against"));
            staff_orgs_show (&orgs, b, covenant, imvo_map_get (c, "respondent"));
            portal_buf_add (b, ", %s %s)</span></li>", TR (x, "ingediend", "filed"), when);
        }
    }
    staff_orgs_release (&orgs);
    if (shown)
        portal_buf_add (b, "</ul>");
    else
        portal_buf_add (b, "<p>%s</p>", TR (x, "Geen lopende geschillen.", "No open disputes."));
    portal_buf_add (b, "<p class=\"help\">%s</p></section>",
                    TR (x, "Geschillen die een andere partij tegen uw organisatie indient, staan op de startpagina bij de "
                           "klachten tegen uw bedrijf.",
                        "Disputes another party files against your organisation are on the home page, with the "
                        "complaints against your company."));
}

void
staff_dispute_parties (staff_t *x, portal_buf_t *b, const msgpack_object *body)
{
    if (!imvo_obj_streq (imvo_map_get (body, "kind"), "dispute"))
        return;
    char covenant [40] = "";
    imvo_obj_strcpy (imvo_map_get (body, "covenant"), covenant, sizeof covenant);
    staff_orgs_t orgs;                  //  the parties' names (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    const char *const sides [][3] = { { "claimant_org", "Eisende partij", "Claimant party" },
                                      { "respondent", "Verwerende partij", "Respondent party" } };
    for (int i = 0; i < 2; i++) {
        const msgpack_object *org = imvo_map_get (body, sides [i][0]);
        portal_buf_add (b, "<dt>%s</dt><dd>", TR (x, sides [i][1], sides [i][2]));
        staff_orgs_show (&orgs, b, covenant, org);
        if (org && imvo_obj_streq (org, x->s.org))
            portal_buf_add (b, " (%s)", TR (x, "uw organisatie", "your organisation"));
        portal_buf_add (b, "</dd>");
    }
    staff_orgs_release (&orgs);
}
