/*  scoring_assoc: the member companies of trade associations in a round (issue 23, 2).

    In food and insurance, trade associations signed for all their members (seed 001: "3
    brancheorganisaties hebben in juni 2018 getekend namens al hun leden"), so a round that
    assessed only company parties was empty. Seed 002 (food) says what those members must do:
    "De brancheorganisaties moeten ervoor zorgen dat al hun leden risico's in kaart brengen en
    aanpakken." The round therefore includes every company an association lists
    (membership's member.associated), counted from the association's signing date, scored on
    its action plan like any company, and its result names the association and the
    requirement map_risks: a plan without identified risks gets the finding risks_not_mapped.
    A company that is a party itself is assessed once, as a party.
*/
#include "scoring_internal.h"
#include "imvo_client.h"

int
scoring_assoc_append (const char *covenant, msgpack_sbuffer *parties)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object list;
    const char *why;
    if (imvo_msg_unpack_items (parties->data, parties->size, IMVO_MSG_MAX_REPLY_ITEMS, &zone, &list, &why)
    ||  list.type != MSGPACK_OBJECT_ARRAY) {
        msgpack_zone_destroy (&zone);
        return -1;
    }
    imvo_client_t *membership = imvo_client_new_service ("membership", 5000, 3);
    if (!membership) {
        msgpack_zone_destroy (&zone);
        return -1;
    }
    msgpack_sbuffer body;
    imvo_pack_one_str (&body, "covenant", covenant);
    imvo_response_t resp;
    int rc = imvo_client_call (membership, "member.associated", NULL, body.data, body.size, &resp) == 0 && resp.ok ? 0 : -1;
    if (rc)
        zsys_warning ("scoring: member.associated of %s failed: %s", covenant, resp.err.message);
    const msgpack_object *companies = rc == 0 ? imvo_map_get (resp.body, "companies") : NULL;
    if (rc == 0) {
        //  The parties first, as they were; then each listed company that is not one of them.
        zhashx_t *seen = zhashx_new ();
        for (uint32_t i = 0; i < list.via.array.size; i++) {
            char org [72];
            if (imvo_obj_strcpy (imvo_map_get (&list.via.array.ptr [i], "org_id"), org, sizeof org) == 0)
                zhashx_insert (seen, org, (void *) 1);
        }
        msgpack_sbuffer extra;
        msgpack_sbuffer_init (&extra);
        msgpack_packer epk;
        msgpack_packer_init (&epk, &extra, msgpack_sbuffer_write);
        uint32_t added = 0;
        for (uint32_t i = 0; companies && companies->type == MSGPACK_OBJECT_ARRAY && i < companies->via.array.size; i++) {
            const msgpack_object *c = &companies->via.array.ptr [i];
            char org [72], name [201] = "", association [72], since [16] = "";
            if (imvo_obj_strcpy (imvo_map_get (c, "org_id"), org, sizeof org)
            ||  imvo_obj_strcpy (imvo_map_get (c, "association"), association, sizeof association)
            ||  zhashx_insert (seen, org, (void *) 1))
                continue;
            imvo_obj_strcpy (imvo_map_get (c, "name"), name, sizeof name);
            imvo_obj_strcpy (imvo_map_get (c, "since"), since, sizeof since);
            msgpack_pack_map (&epk, 4);
            imvo_pack_kv_str (&epk, "org_id", org);
            imvo_pack_kv_str (&epk, "name", name);
            imvo_pack_kv_int (&epk, "since", atoll (since));
            imvo_pack_kv_str (&epk, "association", association);
            added++;
        }
        msgpack_sbuffer all;
        msgpack_sbuffer_init (&all);
        msgpack_packer apk;
        msgpack_packer_init (&apk, &all, msgpack_sbuffer_write);
        msgpack_pack_array (&apk, list.via.array.size + added);
        for (uint32_t i = 0; i < list.via.array.size; i++)
            msgpack_pack_object (&apk, list.via.array.ptr [i]);
        msgpack_sbuffer_write (&all, extra.data, extra.size);
        msgpack_sbuffer_clear (parties);
        msgpack_sbuffer_write (parties, all.data, all.size);
        msgpack_sbuffer_destroy (&all);
        msgpack_sbuffer_destroy (&extra);
        zhashx_destroy (&seen);
    }
    imvo_response_release (&resp);
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&membership);
    msgpack_zone_destroy (&zone);
    return rc;
}

void
scoring_assoc_apply (const char *association, const msgpack_object *submission, scoring_result_t *r)
{
    if (!association || !*association)
        return;
    snprintf (r->association, sizeof r->association, "%s", association);
    const msgpack_object *risks = submission ? imvo_map_get (submission, "risks") : NULL;
    bool mapped = risks && risks->type == MSGPACK_OBJECT_ARRAY && risks->via.array.size > 0;
    if (!mapped && r->nfindings < (int) (sizeof r->findings / sizeof r->findings [0]))
        r->findings [r->nfindings++] = "risks_not_mapped";
}
