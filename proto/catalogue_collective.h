/*  Collective work, the assessor's step, the SRA sectors, general meetings and the steering
    group (issue 23, items 6-9; catalogue_collective.c). The scoring daemon answers the
    collective and assessor messages, membership the sectors, meetings and steering group;
    each is listed with its daemon's other messages (catalogue_scoring.c,
    catalogue_membership.c). */
#ifndef CATALOGUE_COLLECTIVE_H
#define CATALOGUE_COLLECTIVE_H

#include "imvo_proto.h"

enum { COLLECTIVE_CHOOSE_ROUND, COLLECTIVE_CHOOSE_RISKS, COLLECTIVE_CHOOSE_WORKING_GROUP, COLLECTIVE_CHOOSE_NOTE };
enum { PROJECT_PUT_COVENANT, PROJECT_PUT_CODE, PROJECT_PUT_NAME, PROJECT_PUT_FROM_YEAR, PROJECT_PUT_TO_YEAR,
       PROJECT_PUT_PARTICIPANTS, PROJECT_PUT_MANDATORY_FROM, PROJECT_PUT_SOURCE };
enum { PROJECT_LIST_COVENANT };
enum { ASSESSMENT_VERIFY_ROUND, ASSESSMENT_VERIFY_ORG_ID, ASSESSMENT_VERIFY_CRITERION, ASSESSMENT_VERIFY_VERDICT,
       ASSESSMENT_VERIFY_SCORE, ASSESSMENT_VERIFY_COMMENT };
enum { ASSESSMENT_COMMENT_ROUND, ASSESSMENT_COMMENT_ORG_ID, ASSESSMENT_COMMENT_TEXT, ASSESSMENT_COMMENT_CRITERION };
enum { ASSESSMENT_REVIEW_ROUND, ASSESSMENT_REVIEW_ORG_ID };
enum { ASSESSMENT_PUBLISH_ROUND };
enum { SECTOR_LIST_NONE };
enum { MEETING_RECORD_COVENANT, MEETING_RECORD_DATE, MEETING_RECORD_ATTENDEES, MEETING_RECORD_VOTES,
       MEETING_RECORD_SOURCE };
enum { MEETING_LIST_COVENANT };
enum { STEERING_PUT_COVENANT, STEERING_PUT_CHAIR, STEERING_PUT_CHAIR_INDEPENDENT, STEERING_PUT_MEMBERS,
       STEERING_PUT_SOURCE };
enum { STEERING_GET_COVENANT };

#define COLLECTIVE_COMMENT_DAYS 14          //  the company's comment window before results are published
#define COLLECTIVE_MAX_PARTICIPANTS 500     //  per collective project
#define COLLECTIVE_MAX_ATTENDEES 500        //  per general meeting
#define COLLECTIVE_MAX_MOTIONS 50           //  per general meeting

//  Answered by scoring.
extern const imvo_proto_msg_t collective_choose_msg, project_put_msg, project_list_msg, assessment_verify_msg,
    assessment_comment_msg, assessment_review_msg, assessment_publish_msg, assessment_results_msg;
//  Answered by membership.
extern const imvo_proto_msg_t sector_list_msg, meeting_record_msg, meeting_list_msg, steering_put_msg,
    steering_get_msg;

#endif
