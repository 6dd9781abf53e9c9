/*  imvoctl demo: a small, real-looking data set for a newcomer's first minutes.

    The signatories of the Dutch Responsible Gold Agreement (2017), as the seed text
    shared/seeds/000_b06e3cb1c08ca68d.txt names them, registered with membership and made
    parties of the gold covenant on the day they signed (since 2017-06-19, with the seed's
    sentence as the source). Running it again changes nothing: an organisation whose
    name is registered already is reused, a membership that exists already is kept.
    Prints each organisation's id, so the commands that follow can name one.
*/
#include "imvoctl.h"
#include "imvo_client.h"

#include <czmq.h>
#include <time.h>

typedef struct {
    const char *name;
    const char *kind;
} s_org_t;

static const s_org_t s_gold [] = {
    { "Lucardi Juweliers", "company" },
    { "Bijou Moderne", "company" },
    { "Peter Bruining", "company" },
    { "House of Eléonore", "company" },
    { "Schöne Edelmetaal", "company" },
    { "Cookson Drijfhout", "company" },
    { "Philips", "company" },
    { "Fairphone", "company" },
    { "Sims Recycling Solutions", "company" },
    { "Closing the Loop", "company" },
    { "Federatie Goud en Zilver", "trade_association" },
    { "Nederlands Gilde van Goudsmeden", "trade_association" },
    { "Solidaridad", "ngo" },
    { "Stop Kinderarbeid", "ngo" },
    { "IUCN NL", "ngo" },
    { "UNICEF Nederland", "ngo" },
    { "FNV", "union" },
    { "Ministerie van Buitenlandse Zaken", "government" },
    { NULL, NULL },
};

//  One call; prints the daemon's refusal and returns -1 unless it is `allowed`.
static int
s_call (imvo_client_t *client, const char *type, msgpack_sbuffer *body, imvo_response_t *resp,
        imvo_err_t allowed)
{
    if (imvo_client_call (client, type, NULL, body->data, body->size, resp)) {
        fprintf (stderr, "imvoctl: %s\n", resp->err.message);
        return -1;
    }
    if (!resp->ok && resp->err.code != allowed) {
        fprintf (stderr, "imvoctl: %s refused: %s %s (%s)\n", type, imvo_err_name (resp->err.code),
                 resp->err.message, resp->err.field);
        return -1;
    }
    return 0;
}

//  This year's action plans of the first eight gold companies (two send none), so that the
//  monitoring committee can run a round: answers over the generic OECD framework's criteria
//  (step1.1 .. step6.2, 0-4 points), varied per company, and the risks they report.
static int
s_demo_plans (int timeout_ms, char ids [][72], int n)
{
    imvo_client_t *scoring = imvo_client_new_for ("scoring");
    if (!scoring)
        return 0;
    imvo_client_set_timeout (scoring, timeout_ms);
    imvo_client_set_actor (scoring, "secretariat", NULL);
    static const char *const risks [][2] = { { "child_labour", "CD" }, { "mercury", "PE" }, { "forced_labour", "GH" },
                                             { "child_labour", "GH" }, { "conflict_financing", "CD" } };
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    int status = 0, sent = 0;
    for (int i = 0; i < n && i < 8 && status == 0; i++) {
        msgpack_sbuffer_clear (&body);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_str (&pk, "covenant", "gold");
        imvo_pack_kv_str (&pk, "org_id", ids [i]);
        imvo_pack_kv_int (&pk, "year", tm.tm_year + 1900);
        imvo_pack_str (&pk, "answers");
        msgpack_pack_map (&pk, 12);
        for (int step = 1; step <= 6; step++)
            for (int c = 1; c <= 2; c++) {
                char id [16];
                snprintf (id, sizeof id, "step%d.%d", step, c);
                imvo_pack_str (&pk, id);
                //  A level per company (0-4), a point up or down per criterion.
                int v = i % 5 + (step + c) % 3 - 1;
                msgpack_pack_int64 (&pk, v < 0 ? 0 : v > 4 ? 4 : v);
            }
        imvo_pack_str (&pk, "risks");
        msgpack_pack_array (&pk, 2);
        for (int k = 0; k < 2; k++) {
            msgpack_pack_map (&pk, 3);
            imvo_pack_kv_str (&pk, "theme", risks [(i + k * 2) % 5][0]);
            imvo_pack_kv_str (&pk, "country", risks [(i + k * 2) % 5][1]);
            imvo_pack_kv_int (&pk, "severity", 1 + (i + k) % 4);
        }
        imvo_response_t resp;
        //  Without the scoring daemon the members are still there: say so and go on.
        if (s_call (scoring, "submission.put", &body, &resp, IMVO_ERR_CONFLICT))
            status = 1;
        sent += resp.ok;
        imvo_response_release (&resp);
    }
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&scoring);
    return status ? 0 : sent;
}

int
imvoctl_demo (int timeout_ms, bool json)
{
    char company_ids [16][72];
    int ncompanies = 0;
    imvo_client_t *client = imvo_client_new_for ("membership");
    if (!client)
        return 3;
    imvo_client_set_timeout (client, timeout_ms);
    imvo_client_set_actor (client, "secretariat", NULL);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    //  The organisations registered already, by name, read a page at a time.
    zhash_t *known = zhash_new ();
    zhash_autofree (known);
    int status = 0;
    char cursor [40] = "";
    do {
        msgpack_sbuffer_clear (&body);
        msgpack_pack_map (&pk, cursor [0] ? 2 : 1);
        imvo_pack_kv_int (&pk, "limit", 1000);
        if (cursor [0])
            imvo_pack_kv_str (&pk, "cursor", cursor);
        imvo_response_t orgs;
        if (s_call (client, "org.list", &body, &orgs, IMVO_ERR_NONE))
            status = 3;
        const msgpack_object *list = status ? NULL : imvo_map_get (orgs.body, "orgs");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
            char name [256], id [72];
            if (imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "name"), name, sizeof name) == 0
            &&  imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "org_id"), id, sizeof id) == 0)
                zhash_update (known, name, id);
        }
        if (status || imvo_obj_strcpy (imvo_map_get (orgs.body, "next_cursor"), cursor, sizeof cursor))
            cursor [0] = 0;
        imvo_response_release (&orgs);
    } while (cursor [0]);
    //  The table's name column is as wide as the widest name on a terminal ("House of
    //  Eléonore" is 17 columns in 18 bytes): the ids and kinds stay in line below each other.
    size_t name_width = 0;
    for (const s_org_t *o = s_gold; o->name; o++)
        if (imvoctl_text_width (o->name) > name_width)
            name_width = imvoctl_text_width (o->name);
    if (json)
        printf ("{\"covenant\":\"gold\",\"orgs\":[");
    for (const s_org_t *o = s_gold; o->name && status == 0; o++) {
        char org_id [72] = "";
        const char *id = (const char *) zhash_lookup (known, o->name);
        if (id)
            snprintf (org_id, sizeof org_id, "%s", id);
        imvo_response_t resp;
        if (!org_id [0]) {
            msgpack_sbuffer_clear (&body);
            msgpack_pack_map (&pk, 3);
            imvo_pack_kv_str (&pk, "name", o->name);
            imvo_pack_kv_str (&pk, "kind", o->kind);
            imvo_pack_kv_str (&pk, "country", "NL");
            if (s_call (client, "org.register", &body, &resp, IMVO_ERR_NONE) == 0)
                imvo_obj_strcpy (imvo_map_get (resp.body, "org_id"), org_id, sizeof org_id);
            else
                status = 2;
            imvo_response_release (&resp);
        }
        if (status)
            break;
        msgpack_sbuffer_clear (&body);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_str (&pk, "covenant", "gold");
        imvo_pack_kv_str (&pk, "org_id", org_id);
        imvo_pack_kv_str (&pk, "role", "party");
        imvo_pack_kv_str (&pk, "since", "2017-06-19");
        imvo_pack_kv_str (&pk, "source", "seed 000: Op 19 juni 2017 ondertekenden producenten van elektronica en "
                                         "sieraden, recyclers, maatschappelijke organisaties en de overheid hiervoor "
                                         "het Convenant Verantwoord Goud.");
        //  conflict: a member already.
        if (s_call (client, "member.join", &body, &resp, IMVO_ERR_CONFLICT))
            status = 2;
        imvo_response_release (&resp);
        if (streq (o->kind, "company") && ncompanies < 16)
            snprintf (company_ids [ncompanies++], sizeof company_ids [0], "%s", org_id);
        if (json)
            printf ("%s{\"org_id\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\"}", o == s_gold ? "" : ",",
                    org_id, o->name, o->kind);
        else {
            imvoctl_print_cell (org_id, 7);
            imvoctl_print_cell (o->name, name_width);
            imvoctl_print_cell (o->kind, 0);
        }
    }
    int plans = status == 0 ? s_demo_plans (timeout_ms, company_ids, ncompanies) : 0;
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    if (json)
        printf ("],\"plans\":%d}\n", plans);
    else
    if (status == 0)
        printf ("\nThe gold covenant's signatories are members now, and %d companies sent this year's action plan.\n"
                "Try:\n"
                "  imvoctl member list gold\n"
                "  imvoctl complaint submit --covenant gold --respondent <org_id of a company above> \\\n"
                "      --summary \"Child labour at a supplying mine\" --description \"...\" --anonymous\n"
                "  IMVOCTL_ROLE=monitoring imvoctl assessment start gold --year %d\n"
                "  IMVOCTL_ROLE=monitoring imvoctl assessment get gold-%d\n", plans,
                tm.tm_year + 1900, tm.tm_year + 1900);
    zhash_destroy (&known);
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&client);
    return status;
}
