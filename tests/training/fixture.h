// The training service through its gRPC API, with the personnel service
// really running beside it (training asks it who is a secretary and where),
// both on real Postgres.
#ifndef TOUYAN_TESTS_TRAINING_FIXTURE_H_
#define TOUYAN_TESTS_TRAINING_FIXTURE_H_

#include <chrono>

#include "absl/time/clock.h"
#include "common/time/date.h"
#include "services/training/spec.h"
#include "tests/personnel/fixture.h"
#include "tests/support/hostile.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::testing {

namespace tv1 = ::touyan::training::v1;

inline ServiceUnderTest* Training() { return Caller(); }

inline google::type::Date DaysFromToday(int days) {
  return ToDate(absl::ToCivilDay(absl::Now() + absl::Hours(24 * days), absl::LocalTimeZone()));
}
inline int ThisYear() {
  return static_cast<int>(absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()).year());
}

class TrainingTest : public PersonnelTest {
 protected:
  tv1::TrainingService::Stub& training() {
    if (!training_) training_ = tv1::TrainingService::NewStub(Training()->channel());
    return *training_;
  }

  std::string MakeCadre(int64_t n, const std::string& village) {
    pv1::Cadre c;
    grpc::Status s = Create(city_, absl::StrCat("tr-cadre-", n), NewCadre(n, village), &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.id();
  }
  // Villages (嘎查村) below a prefix, without urban communities (their
  // organisations are not village branches, so coverage leaves them out).
  static std::vector<std::string> RuralVillagesOf(const std::string& prefix) {
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto regions = ctl::ReadRegions(in);
    std::vector<std::string> out;
    for (const auto& r : *regions) {
      if (r.level() == pv1::REGION_LEVEL_VILLAGE && absl::StartsWith(r.code(), prefix) &&
          !absl::StrContains(r.name(), "社区") && !absl::StrContains(r.name(), "居委会") &&
          !absl::StrContains(r.name(), "居民委员会")) {
        out.push_back(r.code());
      }
    }
    return out;
  }
  static google::type::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

  // An expert's visit to `village` teaching `secretary` (马铃薯脱毒种薯, May 2023).
  static tv1::ExpertVisit NewExpertVisit(const std::string& village, const std::string& secretary) {
    tv1::ExpertVisit e;
    e.set_expert_name("王研究员");
    e.set_expert_kind(tv1::EXPERT_KIND_TECH_COMMISSIONER);
    e.set_expert_organisation("内蒙古农业大学");
    e.set_village_code(village);
    *e.mutable_visit_date() = Day(2023, 5, 20);
    e.set_topic(tv1::EXPERT_TOPIC_PLANTING);
    e.set_subject("马铃薯脱毒种薯");
    e.add_secretary_cadre_ids(secretary);
    return e;
  }

  // A class with segments 30 and 20 days ago and one in 30 days.
  tv1::TrainingClass NewClass(tv1::Tier tier, const std::string& region, const std::string& theme,
                              int capacity, int min_percent = 60) {
    tv1::TrainingClass c;
    c.set_tier(tier);
    c.set_region_code(region);
    c.set_title("村党组织书记培训班");
    c.set_theme(theme);
    c.set_year(ThisYear());
    c.add_formats(tv1::FORMAT_LECTURE);
    c.add_formats(tv1::FORMAT_SEMINAR);
    c.set_venue("旗县委党校");
    c.set_venue_kind(tv1::VENUE_KIND_COUNTY_PARTY_SCHOOL);
    c.set_capacity(capacity);
    c.set_completion_min_percent(min_percent);
    for (int days : {-30, -20, 30}) {
      auto* s = c.add_segments();
      s->set_title(absl::StrCat("第", c.segments_size(), "段"));
      *s->mutable_start_date() = DaysFromToday(days);
    }
    return c;
  }

  Outcome CreateClass(const std::string& token, const std::string& rid, const tv1::TrainingClass& c,
                      tv1::TrainingClass* out) {
    tv1::CreateClassRequest req;
    req.set_request_id(rid);
    *req.mutable_training_class() = c;
    return OutcomeOf(training().CreateClass(WithToken(token).get(), req, out));
  }

  Outcome Enrol(const std::string& token, const std::string& rid, const std::string& cls,
                tv1::TraineeKind kind, const std::string& cadre, tv1::Enrolment* out,
                const std::string& name = "", const std::string& region = "") {
    tv1::EnrolRequest req;
    req.set_request_id(rid);
    req.set_class_id(cls);
    req.mutable_trainee()->set_kind(kind);
    req.mutable_trainee()->set_cadre_id(cadre);
    req.mutable_trainee()->set_name(name);
    req.mutable_trainee()->set_region_code(region);
    tv1::Enrolment ignored;
    return OutcomeOf(training().Enrol(WithToken(token).get(), req, out ? out : &ignored));
  }

  Outcome Mark(const std::string& token, const std::string& rid, const std::string& cls,
               int segment, const std::vector<std::pair<std::string, tv1::AttendanceStatus>>& marks,
               tv1::RecordAttendanceResponse* out = nullptr) {
    tv1::RecordAttendanceRequest req;
    req.set_request_id(rid);
    req.set_class_id(cls);
    req.set_segment_number(segment);
    for (const auto& [id, status] : marks) {
      auto* m = req.add_marks();
      m->set_enrolment_id(id);
      m->set_status(status);
    }
    tv1::RecordAttendanceResponse ignored;
    return OutcomeOf(
        training().RecordAttendance(WithToken(token).get(), req, out ? out : &ignored));
  }

  tv1::Coverage Coverage(const std::string& token, const std::string& region,
                         const std::string& theme) {
    tv1::GetCoverageRequest req;
    req.set_year(ThisYear());
    req.set_theme(theme);
    req.set_region_code(region);
    tv1::Coverage out;
    grpc::Status s = training().GetCoverage(WithToken(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  const std::string zhuozi_ = svc().Token(Role::kCountyOperator, "150921000000", "zhuozi-op");
  const std::string shangdu_ = svc().Token(Role::kCountyOperator, "150923000000", "shangdu-op");

 private:
  std::unique_ptr<tv1::TrainingService::Stub> training_;
};

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_TRAINING_FIXTURE_H_
