/*  portal_places: the workplace on the complaint form (portal_places.c): the search of the
    covenant's published lists (location.search) and the choice among its results. */
#ifndef PORTAL_PLACES_H
#define PORTAL_PLACES_H

#include "portal.h"

typedef enum {
    PLACES_SEARCH_LABEL, PLACES_SEARCH_HELP, PLACES_SEARCH, PLACES_LEGEND, PLACES_FOUND, PLACES_MORE,
    PLACES_NONE_FOUND, PLACES_NOT_SEARCHED, PLACES_NONE_OF_THESE, PLACES_FREE, PLACES_UNAVAILABLE,
    PLACES_COMPANY_HELP, PLACES_NEED_ONE
} portal_places_text_t;

const char *portal_places_text (portal_lang_t lang, portal_places_text_t key);

//  One form's search: its words and membership's answer, from portal_places_search to
//  portal_places_choice (which releases it).
typedef struct {
    char q [256];
    bool asked;                 //  there were words to search by
    bool answered;              //  and membership answered (else the form says so)
    bool held;                  //  resp is to be released
    imvo_response_t resp;
} portal_places_t;

//  The search form (GET /, place_q; the words from the form shown again, r, or the URL, c),
//  before the complaint's form, and the search itself.
void portal_places_search (portal_buf_t *b, struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang,
                           const char *covenant, portal_places_t *p);
//  Inside the complaint's form: the places found as radio buttons (location_id, her choice
//  kept), the place in her own words (place), and the search words carried on.
void portal_places_choice (portal_buf_t *b, portal_req_t *r, portal_lang_t lang, portal_places_t *p);

//  The staff console's case page (staff_case_page.c): the place from the list with the companies
//  linked to the case, and the place in her words, as facts (<dt>, <dd>) of complaint.get's body.
void portal_places_facts (portal_buf_t *b, portal_lang_t lang, const msgpack_object *body);

#endif
