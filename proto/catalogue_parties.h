/*  Parties as the covenants really have them (issue 23, 2 and 5): trade associations that sign
    for their member companies (member.associates, member.associated) and supporters'
    contributions (member.contribute), answered by membership and listed with its other
    messages (catalogue_membership.c). Disputes between parties are complaint.submit's kind
    and claimant_org (catalogue_complaints.c). */
#ifndef CATALOGUE_PARTIES_H
#define CATALOGUE_PARTIES_H

#include "imvo_proto.h"

#define MEMBER_ASSOCIATES_MAX 5000      //  member companies one association lists in one call

enum { MEMBER_ASSOCIATES_COVENANT, MEMBER_ASSOCIATES_ORG_ID, MEMBER_ASSOCIATES_COMPANIES };
enum { MEMBER_ASSOCIATED_COVENANT, MEMBER_ASSOCIATED_ASSOCIATION };
enum { MEMBER_CONTRIBUTE_COVENANT, MEMBER_CONTRIBUTE_ORG_ID, MEMBER_CONTRIBUTE_KIND, MEMBER_CONTRIBUTE_YEAR,
       MEMBER_CONTRIBUTE_AMOUNT, MEMBER_CONTRIBUTE_ACTIVITY, MEMBER_CONTRIBUTE_DESCRIPTION };

extern const imvo_proto_msg_t member_associates_msg, member_associated_msg, member_contribute_msg;

#endif
