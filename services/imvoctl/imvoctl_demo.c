/*  imvoctl demo: a small, real-looking data set for a newcomer's first minutes.

    The signatories of the Dutch Responsible Gold Agreement (2017), as the seed text
    shared/seeds/000_b06e3cb1c08ca68d.txt names them, registered with membership and made
    parties of the gold covenant. Running it again changes nothing: an organisation whose
    name is registered already is reused, a membership that exists already is kept.
    Prints each organisation's id, so the commands that follow can name one.
*/
#include "imvoctl.h"
#include "imvo_client.h"

#include <czmq.h>

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

int
imvoctl_demo (int timeout_ms, bool json)
{
    imvo_client_t *client = imvo_client_new_for ("membership");
    if (!client)
        return 3;
    imvo_client_set_timeout (client, timeout_ms);
    imvo_client_set_actor (client, "secretariat", NULL);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    imvo_response_t orgs;
    int status = 0;
    msgpack_pack_map (&pk, 0);
    if (s_call (client, "org.list", &body, &orgs, IMVO_ERR_NONE))
        status = 3;
    const msgpack_object *list = status ? NULL : imvo_map_get (orgs.body, "orgs");
    if (json)
        printf ("{\"covenant\":\"gold\",\"orgs\":[");
    for (const s_org_t *o = s_gold; o->name && status == 0; o++) {
        char org_id [72] = "";
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
            if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "name"), o->name))
                imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "org_id"), org_id, sizeof org_id);
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
        msgpack_pack_map (&pk, 3);
        imvo_pack_kv_str (&pk, "covenant", "gold");
        imvo_pack_kv_str (&pk, "org_id", org_id);
        imvo_pack_kv_str (&pk, "role", "party");
        //  conflict: a member already.
        if (s_call (client, "member.join", &body, &resp, IMVO_ERR_CONFLICT))
            status = 2;
        imvo_response_release (&resp);
        if (json)
            printf ("%s{\"org_id\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\"}", o == s_gold ? "" : ",",
                    org_id, o->name, o->kind);
        else
            printf ("%-8s %-34s %s\n", org_id, o->name, o->kind);
    }
    if (json)
        printf ("]}\n");
    else
    if (status == 0)
        printf ("\nThe gold covenant's signatories are members now. Try:\n"
                "  imvoctl member list gold\n"
                "  imvoctl complaint submit --covenant gold --respondent <org_id of a company above> \\\n"
                "      --summary \"Child labour at a supplying mine\" --description \"...\" --anonymous\n");
    imvo_response_release (&orgs);
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&client);
    return status;
}
