// Training's domain rules, plain C++ over the contract's messages: what a
// valid class, trainee, visit and practice task are, and when an enrolment
// is complete. No database, no network.
#ifndef TOUYAN_SERVICES_TRAINING_DOMAIN_RULES_H_
#define TOUYAN_SERVICES_TRAINING_DOMAIN_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/ids/region.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::training {

// The organising region's level each tier needs.
Level LevelOfTier(v1::Tier tier);

// Checks a class to be created and normalises it: segments numbered in date
// order, completion_min_percent defaulted to 80, formats without repeats.
// Field names are relative to TrainingClass. `year_max` bounds `year`.
absl::Status NormalizeClass(v1::TrainingClass& c, int year_max);

// FAILED_PRECONDITION (CLASS_CANCELLED) naming `field` if `c` was cancelled.
absl::Status CheckNotCancelled(const v1::TrainingClass& c, absl::string_view field);

// Checks moving segment `number` of `c` to [start, end] (an unset end: one
// day): the segment exists, the dates are valid and within a year of the
// class's year, and the segments keep their date order, since attendance is
// kept by segment number. Field names are RescheduleSegmentRequest's.
absl::Status CheckReschedule(const v1::TrainingClass& c, int number,
                             const google::type::Date& start, const google::type::Date& end);

// Checks a trainee before personnel is asked: kinds that must be in
// personnel name a cadre; the others name a person and a village.
absl::Status ValidateTrainee(const v1::Trainee& t);
// The key that makes one enrolment per person and class.
std::string PersonKey(const v1::Trainee& t);

// Whether a status counts as attending the segment (present or late).
bool Attended(v1::AttendanceStatus s);

// Completion of an enrolment from its attendance: COMPLETED once attended
// segments reach `min_percent` of `segments`; NOT_COMPLETED once they can no
// longer reach it even if every unrecorded segment is attended; otherwise
// IN_PROGRESS.
v1::Completion EvaluateCompletion(int segments, int attended, int recorded, int min_percent);

// Field visits, expert visits and practice tasks; field names are relative
// to the message.
absl::Status ValidateFieldVisit(const v1::FieldVisit& v, absl::CivilDay today);
absl::Status ValidateExpertVisit(const v1::ExpertVisit& v, absl::CivilDay today);
absl::Status ValidatePracticeTask(const v1::PracticeTask& t, int year_max);
absl::Status ValidateQuotas(const google::protobuf::RepeatedPtrField<v1::Quota>& quotas,
                            absl::string_view region_code);

// The fields UpdatePracticeTask may change, and applying them to a draft.
absl::Status ApplyTaskPatch(const v1::PracticeTask& patch, const std::vector<std::string>& paths,
                            v1::PracticeTask& current);

// Cadre ids (personnel's "county-number") in a repeated field: each well
// formed, no repeats, between `min` and `max` of them.
absl::Status ValidateCadreIds(absl::string_view field,
                              const google::protobuf::RepeatedPtrField<std::string>& ids, int min,
                              int max);

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_DOMAIN_RULES_H_
