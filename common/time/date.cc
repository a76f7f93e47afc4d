#include "common/time/date.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"

namespace touyan {

bool IsSet(const google::type::Date& d) { return d.year() != 0 || d.month() != 0 || d.day() != 0; }

absl::StatusOr<absl::CivilDay> ToCivilDay(absl::string_view field, const google::type::Date& d) {
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1900 || d.year() > 9999 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    return InvalidField(
        field, absl::StrFormat("%04d-%02d-%02d is not a date", d.year(), d.month(), d.day()),
        "BAD_DATE");
  }
  return day;
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

std::string IsoDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

bool ParseIsoDate(absl::string_view text, absl::CivilDay* day) {
  return absl::ParseCivilTime(text, day);
}

google::protobuf::Timestamp TimestampFromMicros(int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1000000);
  t.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return t;
}

}  // namespace touyan
