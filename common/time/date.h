// google.type.Date ↔ absl::CivilDay ↔ ISO text ("2023-03-15").
#ifndef TOUYAN_COMMON_TIME_DATE_H_
#define TOUYAN_COMMON_TIME_DATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

namespace touyan {

bool IsSet(const google::type::Date& d);
// Returns INVALID_ARGUMENT naming `field` unless `d` is a full, real date.
absl::StatusOr<absl::CivilDay> ToCivilDay(absl::string_view field, const google::type::Date& d);
google::type::Date ToDate(absl::CivilDay day);
std::string IsoDate(absl::CivilDay day);
// Parses Postgres' ISO date text; returns false if it is not one.
bool ParseIsoDate(absl::string_view text, absl::CivilDay* day);
google::protobuf::Timestamp TimestampFromMicros(int64_t micros);

}  // namespace touyan

#endif  // TOUYAN_COMMON_TIME_DATE_H_
