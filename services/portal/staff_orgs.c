/*  staff_orgs: organisations shown to a person by their names, not by their ids (org-17 means
    nothing to a secretariat officer or a committee member).

    The names come from the covenant's member list (member.list: public, kept by the portal
    for a second, portal_members, so a crowd on the queue costs membership one list a second)
    and, for a company a trade association signed for (not a member itself), from
    member.associated, asked as the person once a page and only when the member list lacks an
    org. A page asks per covenant, never per organisation. An org whose name is not known (it
    left the covenant, or its list cannot be read) is shown by its id.

    The line naming who is signed in shows a company person's company by the name its own
    org.get gave (staff_company_org; the company's home page asks it first), remembered here
    for the process. */
#include "staff.h"

#include <pthread.h>

void
staff_orgs_init (staff_orgs_t *self, staff_t *x)
{
    memset (self, 0, sizeof *self);
    self->x = x;
}

void
staff_orgs_release (staff_orgs_t *self)
{
    for (int i = 0; i < self->n; i++) {
        imvo_response_release (&self->c [i].members);
        if (self->c [i].associated_state)
            imvo_response_release (&self->c [i].associated);
    }
    self->n = 0;
}

//  The covenant's entry, its member list read on first use; NULL when there is no room.
static staff_orgs_covenant_t *
s_covenant (staff_orgs_t *self, const char *covenant)
{
    for (int i = 0; i < self->n; i++)
        if (streq (self->c [i].covenant, covenant))
            return &self->c [i];
    if (self->n == STAFF_ORGS_COVENANTS || strlen (covenant) >= sizeof self->c [0].covenant)
        return NULL;
    staff_orgs_covenant_t *c = &self->c [self->n++];
    snprintf (c->covenant, sizeof c->covenant, "%s", covenant);
    c->have_members = portal_members (covenant, false, &c->members) == 0;
    return c;
}

const msgpack_object *
staff_orgs_members (staff_orgs_t *self, const char *covenant)
{
    staff_orgs_covenant_t *c = covenant && *covenant ? s_covenant (self, covenant) : NULL;
    const msgpack_object *list = c && c->have_members ? imvo_map_get (c->members.body, "members") : NULL;
    return list && list->type == MSGPACK_OBJECT_ARRAY ? list : NULL;
}

//  O(n) a look-up: a page shows at most 100 rows against at most 1000 members, some microseconds.
const msgpack_object *
staff_org_find (const msgpack_object *list, const msgpack_object *org)
{
    for (uint32_t i = 0; org && list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *id = imvo_map_get (&list->via.array.ptr [i], "org_id");
        if (id && msgpack_object_equal (*id, *org)) {
            const msgpack_object *name = imvo_map_get (&list->via.array.ptr [i], "name");
            return imvo_obj_is_str (name) && name->via.str.size ? name : NULL;
        }
    }
    return NULL;
}

const msgpack_object *
staff_orgs_name (staff_orgs_t *self, const char *covenant, const msgpack_object *org)
{
    //  (An empty respondent, a complaint's company not known yet, is no org to look up.)
    if (!imvo_obj_is_str (org) || !org->via.str.size || !covenant || !*covenant)
        return NULL;
    staff_orgs_covenant_t *c = s_covenant (self, covenant);
    if (!c)
        return NULL;
    const msgpack_object *name = staff_org_find (staff_orgs_members (self, covenant), org);
    if (!name && !c->associated_state) {
        bool ok = staff_ask (self->x, &c->associated, "membership", "member.associated", "s", "covenant", covenant) == 0
               && c->associated.ok;
        c->associated_state = ok ? 1 : -1;
    }
    if (!name && c->associated_state == 1)
        name = staff_org_find (imvo_map_get (c->associated.body, "companies"), org);
    return name;
}

//  Whether another org than org in list bears name. O(n): a page of 100 rows against 1000
//  members, some microseconds.
static bool
s_name_taken (const msgpack_object *list, const msgpack_object *name, const msgpack_object *org)
{
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *other = imvo_map_get (&list->via.array.ptr [i], "name");
        const msgpack_object *id = imvo_map_get (&list->via.array.ptr [i], "org_id");
        if (other && id && msgpack_object_equal (*other, *name) && !msgpack_object_equal (*id, *org))
            return true;
    }
    return false;
}

//  A name two orgs of the covenant share (its members, or the companies its trade associations
//  list) gets the org's id after it, as the selects have it (staff_org_name_of): two rows of
//  the queue must not look the same when they are about two companies.
void
staff_orgs_show (staff_orgs_t *self, portal_buf_t *b, const char *covenant, const msgpack_object *org)
{
    const msgpack_object *name = staff_orgs_name (self, covenant, org);
    staff_org_named (b, org, name);
    staff_orgs_covenant_t *c = name ? s_covenant (self, covenant) : NULL;
    if (c && (s_name_taken (staff_orgs_members (self, covenant), name, org)
          || (c->associated_state == 1 && s_name_taken (imvo_map_get (c->associated.body, "companies"), name, org)))) {
        portal_buf_add (b, " (");
        portal_buf_obj (b, org);
        portal_buf_add (b, ")");
    }
}

void
staff_org_named (portal_buf_t *b, const msgpack_object *org, const msgpack_object *name)
{
    if (!name) {
        portal_buf_obj (b, org);
        return;
    }
    portal_buf_add (b, "<span title=\"");
    portal_buf_obj (b, org);
    portal_buf_add (b, "\">");
    portal_buf_obj (b, name);
    portal_buf_add (b, "</span>");
}

void
staff_orgs_show_list (staff_orgs_t *self, portal_buf_t *b, const char *covenant, const msgpack_object *orgs)
{
    for (uint32_t i = 0; orgs && orgs->type == MSGPACK_OBJECT_ARRAY && i < orgs->via.array.size; i++) {
        portal_buf_add (b, i ? ", " : "");
        staff_orgs_show (self, b, covenant, &orgs->via.array.ptr [i]);
    }
}

bool
staff_org_name_shared (const msgpack_object *list, uint32_t i)
{
    const msgpack_object *name = imvo_map_get (&list->via.array.ptr [i], "name");
    for (uint32_t k = 0; imvo_obj_is_str (name) && k < list->via.array.size; k++) {
        const msgpack_object *other = k == i ? NULL : imvo_map_get (&list->via.array.ptr [k], "name");
        if (other && msgpack_object_equal (*other, *name))
            return true;
    }
    return false;
}

void
staff_org_name_of (portal_buf_t *b, const msgpack_object *list, uint32_t i)
{
    const msgpack_object *it = &list->via.array.ptr [i];
    portal_buf_obj (b, imvo_map_get (it, "name"));
    if (staff_org_name_shared (list, i)) {
        portal_buf_add (b, " (");
        portal_buf_obj (b, imvo_map_get (it, "org_id"));
        portal_buf_add (b, ")");
    }
}

void
staff_org_option (portal_buf_t *b, const msgpack_object *list, uint32_t i, const char *id, const char *chosen)
{
    portal_buf_add (b, "<option value=\"");
    portal_buf_str (b, id);
    portal_buf_add (b, "\"%s>", streq (id, chosen) ? " selected" : "");
    staff_org_name_of (b, list, i);
    portal_buf_add (b, "</option>");
}

void
staff_org_options (portal_buf_t *b, const msgpack_object *list, const char *kind, const char *chosen)
{
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *it = &list->via.array.ptr [i];
        if (kind && !imvo_obj_streq (imvo_map_get (it, "kind"), kind))
            continue;
        char id [72] = "";
        imvo_obj_strcpy (imvo_map_get (it, "org_id"), id, sizeof id);
        staff_org_option (b, list, i, id, chosen);
    }
}

const msgpack_object *
staff_party (const msgpack_object *members, uint32_t i, char org [72])
{
    const msgpack_object *m = members && i < members->via.array.size ? &members->via.array.ptr [i] : NULL;
    org [0] = 0;
    if (!m || !imvo_obj_streq (imvo_map_get (m, "role"), "party") || imvo_obj_strcpy (imvo_map_get (m, "org_id"), org, 72))
        return NULL;
    return m;
}

//  --- the signed-in company's own name --------------------------------------------------------

#define S_REMEMBERED 64

static struct {
    char org [65];
    char name [201];
} s_remembered [S_REMEMBERED];
static int s_next;                      //  the slot taken next when org is not there yet
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

void
staff_orgs_remember (const char *org, const msgpack_object *name)
{
    char text [201];
    if (!org || !*org || strlen (org) >= sizeof s_remembered [0].org || imvo_obj_strcpy (name, text, sizeof text) || !*text)
        return;
    pthread_mutex_lock (&s_lock);
    int slot = -1;
    for (int i = 0; i < S_REMEMBERED && slot < 0; i++)
        if (streq (s_remembered [i].org, org))
            slot = i;
    if (slot < 0) {
        slot = s_next;
        s_next = (s_next + 1) % S_REMEMBERED;
    }
    snprintf (s_remembered [slot].org, sizeof s_remembered [slot].org, "%s", org);
    snprintf (s_remembered [slot].name, sizeof s_remembered [slot].name, "%s", text);
    pthread_mutex_unlock (&s_lock);
}

bool
staff_orgs_remembered (const char *org, char *name, size_t size)
{
    bool found = false;
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_REMEMBERED && !found && org && *org; i++)
        if (streq (s_remembered [i].org, org)) {
            snprintf (name, size, "%s", s_remembered [i].name);
            found = true;
        }
    pthread_mutex_unlock (&s_lock);
    return found;
}
