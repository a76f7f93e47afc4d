// Contest's validation rules, plain C++ (a round's lifecycle: rounds.h).
#ifndef TOUYAN_SERVICES_CONTEST_DOMAIN_RULES_H_
#define TOUYAN_SERVICES_CONTEST_DOMAIN_RULES_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "touyan/contest/v1/contest.pb.h"

namespace touyan::contest {

// Field names relative to Contest; `year_max` bounds the year.
absl::Status ValidateContest(const v1::Contest& c, int year_max);

// The default rubric: 乡村治理, 壮大集体经济, 为民办实事 (weight 1, max 100).
std::vector<v1::Dimension> DefaultRubric();
// Keys [a-z_]{1,32} and unique, names given, weights and maxima positive;
// at most 10 dimensions. Field names relative to `field` ("rubric").
absl::Status ValidateRubric(const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric,
                            absl::string_view field);
// Fills defaults (rubric, MEAN) and checks the rest; field names relative to Round.
absl::Status NormalizeRound(v1::Round& r);

absl::Status ValidateReport(const v1::WorkReport& report);  // relative to WorkReport

// A score for a rubric: the dimension exists and 0 ≤ value ≤ max; its
// dimension's position in the rubric. Field names relative to Score.
absl::StatusOr<int> ValidateScore(const v1::Score& s,
                                  const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric);
// ValidateScore's two halves, for scores checked by the thousand: the
// position of dimension `key` in the rubric (UNKNOWN_DIMENSION naming
// "dimension"), and the value's range (SCORE_OUT_OF_RANGE naming "value").
absl::StatusOr<int> DimensionOf(absl::string_view key,
                                const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric);
absl::Status CheckScoreValue(double value, const v1::Dimension& d);

// A judge may not judge an entrant who is the judge, from the judge's own
// village (or unit region) or organisation — CONFLICT_OF_INTEREST naming both.
absl::Status CheckConflict(const v1::Judge& judge, const v1::Entry& entry);

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_DOMAIN_RULES_H_
