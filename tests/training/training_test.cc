// The training service through its gRPC API, with the personnel service
// really running beside it (training asks it who is a secretary and where),
// both on real Postgres.
#include <chrono>

#include "absl/time/clock.h"
#include "common/time/date.h"
#include "services/training/spec.h"
#include "tests/personnel/fixture.h"
#include "tests/support/hostile.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::testing {
namespace {

namespace tv1 = ::touyan::training::v1;

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new CallerEnvironment(training::TrainingSpec(), "touyan_test_training"));
ServiceUnderTest* Training() { return Caller(); }

google::type::Date DaysFromToday(int days) {
  return ToDate(absl::ToCivilDay(absl::Now() + absl::Hours(24 * days), absl::LocalTimeZone()));
}
int ThisYear() { return static_cast<int>(absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()).year()); }

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

  Outcome Mark(const std::string& token, const std::string& rid, const std::string& cls, int segment,
               const std::vector<std::pair<std::string, tv1::AttendanceStatus>>& marks,
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
    return OutcomeOf(training().RecordAttendance(WithToken(token).get(), req, out ? out : &ignored));
  }

  tv1::Coverage Coverage(const std::string& token, const std::string& region, const std::string& theme) {
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

TEST_F(TrainingTest, ClassesEnrolToCapacityAndRetriesChangeNothing) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9001, villages[0]);
  const std::string b = MakeSecretary(9002, villages[1]);
  const std::string c = MakeSecretary(9003, villages[2]);

  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-cap", NewClass(tv1::TIER_COUNTY, "150902000000", "capacity", 2), &cls).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(cls.county_code(), "150902");
  ASSERT_EQ(cls.segments_size(), 3);
  EXPECT_EQ(cls.segments(0).number(), 1);

  tv1::Enrolment ea, again;
  ASSERT_EQ(Enrol(jining_, "enr-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(ea.trainee().region_code(), villages[0]);  // from personnel
  EXPECT_FALSE(ea.trainee().name().empty());
  EXPECT_EQ(ea.completion(), tv1::COMPLETION_IN_PROGRESS);
  // The same request again: the first answer, no second seat.
  ASSERT_EQ(Enrol(jining_, "enr-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &again).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(again.id(), ea.id());
  // The same person under a new request id: refused.
  EXPECT_EQ(Enrol(jining_, "enr-a2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr).reason,
            "ALREADY_ENROLLED");
  ASSERT_EQ(Enrol(jining_, "enr-b", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, b, nullptr).code,
            grpc::StatusCode::OK);
  Outcome full = Enrol(jining_, "enr-c", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, c, nullptr);
  EXPECT_EQ(full.code, grpc::StatusCode::FAILED_PRECONDITION) << full;
  EXPECT_EQ(full.reason, "CLASS_FULL");
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.enrolments WHERE class_id = " +
                              cls.id().substr(7)),
            2);

  tv1::GetClassRequest get;
  get.set_id(cls.id());
  tv1::TrainingClass now;
  ASSERT_TRUE(training().GetClass(WithToken(jining_).get(), get, &now).ok());
  EXPECT_EQ(now.enrolled(), 2);
}

TEST_F(TrainingTest, TraineesOfEveryKindAndTheirChecks) {
  const auto villages = VillagesOf("150902");
  const std::string secretary = MakeSecretary(9011, villages[3]);
  const std::string cadre = MakeCadre(9012, villages[3]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-kinds", NewClass(tv1::TIER_COUNTY, "150902000000", "kinds", 50), &cls).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k1", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, secretary, nullptr).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, cadre, nullptr).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k3", cls.id(), tv1::TRAINEE_KIND_WORK_TEAM_CADRE, "", nullptr, "驻村干部甲",
                  villages[3]).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k4", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "牧民乙",
                  villages[4]).code,
            grpc::StatusCode::OK);
  // A cadre without a secretary post is not a secretary.
  Outcome o = Enrol(jining_, "k5", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, cadre, nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "NOT_A_SECRETARY");
  // Unknown cadre, bad id, missing name, another county's person.
  o = Enrol(jining_, "k6", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, "150902-999999", nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::NOT_FOUND) << o;
  EXPECT_EQ(o.field, "trainee.cadre_id");
  o = Enrol(jining_, "k7", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, "not-an-id", nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "trainee.cadre_id");
  o = Enrol(jining_, "k8", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "", villages[4]);
  EXPECT_EQ(o.field, "trainee.name");
  o = Enrol(jining_, "k9", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "外县人", "150929100001");
  EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;

  tv1::ListEnrolmentsRequest list;
  list.set_class_id(cls.id());
  list.set_page_size(3);
  std::vector<std::string> seen;
  do {
    tv1::ListEnrolmentsResponse page;
    ASSERT_TRUE(training().ListEnrolments(WithToken(jining_).get(), list, &page).ok());
    for (const auto& e : page.enrolments()) seen.push_back(e.trainee().name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(TrainingTest, CompletionIsComputedFromAttendanceAndFutureSegmentsAreRefused) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9021, villages[5]);
  const std::string b = MakeSecretary(9022, villages[6]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-att", NewClass(tv1::TIER_COUNTY, "150902000000", "attendance", 10), &cls).code,
            grpc::StatusCode::OK);
  tv1::Enrolment ea, eb;
  ASSERT_EQ(Enrol(jining_, "att-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(jining_, "att-b", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, b, &eb).code, grpc::StatusCode::OK);

  // Segment 3 is in 30 days.
  Outcome future = Mark(jining_, "att-future", cls.id(), 3, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}});
  EXPECT_EQ(future.code, grpc::StatusCode::FAILED_PRECONDITION) << future;
  EXPECT_EQ(future.reason, "SEGMENT_NOT_STARTED");
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.attendance"), 0);
  EXPECT_EQ(Mark(jining_, "att-x", cls.id(), 4, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).field,
            "segment_number");

  // 60% of 3 segments: 2 attended complete.
  ASSERT_EQ(Mark(jining_, "att-1", cls.id(), 1,
                 {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}, {eb.id(), tv1::ATTENDANCE_STATUS_ABSENT}}).code,
            grpc::StatusCode::OK);
  tv1::RecordAttendanceResponse r;
  ASSERT_EQ(Mark(jining_, "att-2", cls.id(), 2,
                 {{ea.id(), tv1::ATTENDANCE_STATUS_LATE}, {eb.id(), tv1::ATTENDANCE_STATUS_PRESENT}}, &r).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(r.enrolments_size(), 2);
  EXPECT_EQ(r.enrolments(0).completion(), tv1::COMPLETION_COMPLETED);  // present + late
  EXPECT_EQ(r.enrolments(0).segments_attended(), 2);
  EXPECT_EQ(r.enrolments(1).completion(), tv1::COMPLETION_IN_PROGRESS);  // 1 of 2, one to come
  // A correction: b was in fact present at segment 1.
  ASSERT_EQ(Mark(jining_, "att-1-fix", cls.id(), 1, {{eb.id(), tv1::ATTENDANCE_STATUS_PRESENT}}, &r).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(r.enrolments(0).completion(), tv1::COMPLETION_COMPLETED);
  EXPECT_EQ(r.enrolments(0).segments_recorded(), 2);
  // Marks for an enrolment of another class, or twice in one request.
  EXPECT_EQ(Mark(jining_, "att-bad", cls.id(), 1, {{"150902-99999", tv1::ATTENDANCE_STATUS_PRESENT}}).code,
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Mark(jining_, "att-dup", cls.id(), 1,
                 {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}, {ea.id(), tv1::ATTENDANCE_STATUS_ABSENT}}).field,
            "marks[1].enrolment_id");
  // An auditor reads but does not write.
  EXPECT_EQ(Mark(auditor_, "att-aud", cls.id(), 1, {{ea.id(), tv1::ATTENDANCE_STATUS_ABSENT}}).code,
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TrainingTest, CoverageListsExactlyTheMissingAndTheCatchUpClosesTheGap) {
  // 卓资县: three secretaries in one township, two in another.
  const auto t1 = RuralVillagesOf("150921108");
  const auto t2 = RuralVillagesOf("150921109");
  ASSERT_GE(t1.size(), 3u);
  ASSERT_GE(t2.size(), 2u);
  const std::vector<std::string> s = {MakeSecretary(9031, t1[0]), MakeSecretary(9032, t1[1]),
                                      MakeSecretary(9033, t1[2]), MakeSecretary(9034, t2[0]),
                                      MakeSecretary(9035, t2[1])};
  const std::string theme = "乡村振兴";
  tv1::TrainingClass county;
  ASSERT_EQ(CreateClass(zhuozi_, "cov-county", NewClass(tv1::TIER_COUNTY, "150921000000", theme, 100), &county).code,
            grpc::StatusCode::OK);
  tv1::Enrolment e0;
  ASSERT_EQ(Enrol(zhuozi_, "cov-e0", county.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s[0], &e0).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Mark(zhuozi_, "cov-m1", county.id(), 1, {{e0.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).code, grpc::StatusCode::OK);
  ASSERT_EQ(Mark(zhuozi_, "cov-m2", county.id(), 2, {{e0.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).code, grpc::StatusCode::OK);

  tv1::Coverage c = Coverage(zhuozi_, "", theme);
  EXPECT_EQ(c.secretaries(), 5);
  EXPECT_EQ(c.covered(), 1);
  EXPECT_EQ(c.missing(), 4);
  ASSERT_EQ(c.townships_size(), 2);
  EXPECT_EQ(c.townships(0).region_code(), "150921108000");
  EXPECT_EQ(c.townships(0).missing(), 2);
  EXPECT_EQ(c.townships(1).missing(), 2);
  // Another theme: nobody is covered.
  EXPECT_EQ(Coverage(zhuozi_, "", "另一个主题").covered(), 0);

  // The missing, paged two at a time, with the township responsible.
  tv1::ListUncoveredRequest list;
  list.set_year(ThisYear());
  list.set_theme(theme);
  list.set_page_size(2);
  std::set<std::string> missing;
  int pages = 0;
  do {
    tv1::ListUncoveredResponse page;
    ASSERT_TRUE(training().ListUncovered(WithToken(zhuozi_).get(), list, &page).ok());
    for (const auto& m : page.secretaries()) {
      missing.insert(m.cadre_id());
      EXPECT_EQ(m.township_code(), m.village_code().substr(0, 9) + "000");
    }
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(missing, (std::set<std::string>{s[1], s[2], s[3], s[4]}));

  // The township's catch-up class takes its two missing secretaries.
  tv1::TrainingClass catchup;
  ASSERT_EQ(CreateClass(zhuozi_, "cov-town", NewClass(tv1::TIER_TOWNSHIP, "150921108000", theme, 10), &catchup).code,
            grpc::StatusCode::OK);
  tv1::EnrolUncoveredRequest bulk;
  bulk.set_request_id("cov-bulk");
  bulk.set_class_id(catchup.id());
  tv1::EnrolUncoveredResponse enrolled;
  ASSERT_TRUE(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &enrolled).ok());
  EXPECT_EQ(enrolled.enrolled(), 2);
  // Retried: the same answer, no new rows.
  tv1::EnrolUncoveredResponse replay;
  ASSERT_TRUE(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &replay).ok());
  EXPECT_EQ(replay.enrolled(), 2);
  std::vector<std::pair<std::string, tv1::AttendanceStatus>> marks;
  for (const auto& e : enrolled.enrolments()) marks.push_back({e.id(), tv1::ATTENDANCE_STATUS_PRESENT});
  ASSERT_EQ(Mark(zhuozi_, "cov-t1", catchup.id(), 1, marks).code, grpc::StatusCode::OK);
  ASSERT_EQ(Mark(zhuozi_, "cov-t2", catchup.id(), 2, marks).code, grpc::StatusCode::OK);

  c = Coverage(zhuozi_, "", theme);
  EXPECT_EQ(c.covered(), 3);
  EXPECT_EQ(c.townships(0).missing(), 0);
  EXPECT_EQ(c.townships(1).missing(), 2);
  EXPECT_EQ(Coverage(zhuozi_, "150921108000", theme).rate(), 1.0);
  // A county class is not a catch-up class.
  bulk.set_request_id("cov-bulk-county");
  bulk.set_class_id(county.id());
  EXPECT_EQ(OutcomeOf(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &replay)).reason,
            "NOT_TOWNSHIP_CLASS");
}

TEST_F(TrainingTest, StatisticsAddUpOverASeededYear) {
  // 商都县: two county classes, trainees of three kinds, one person in both.
  const auto v = VillagesOf("150923");
  const std::string s1 = MakeSecretary(9041, v[0]);
  const std::string s2 = MakeSecretary(9042, v[1]);
  tv1::TrainingClass c1, c2, city;
  ASSERT_EQ(CreateClass(shangdu_, "st-c1", NewClass(tv1::TIER_COUNTY, "150923000000", "st", 100), &c1).code, grpc::StatusCode::OK);
  ASSERT_EQ(CreateClass(shangdu_, "st-c2", NewClass(tv1::TIER_COUNTY, "150923000000", "st", 100), &c2).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-1", c1.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s1, nullptr).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-2", c1.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s2, nullptr).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-3", c2.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s1, nullptr).code, grpc::StatusCode::OK);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Enrol(shangdu_, absl::StrCat("st-f", i), c2.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr,
                    absl::StrCat("农牧民", i), v[2]).code,
              grpc::StatusCode::OK);
  }
  tv1::GetStatisticsRequest req;
  req.set_year(ThisYear());
  req.set_region_code("150923000000");
  tv1::Statistics st;
  ASSERT_TRUE(training().GetStatistics(WithToken(shangdu_).get(), req, &st).ok());
  auto row = [&](const std::string& county, tv1::TraineeKind kind) {
    for (const auto& r : st.rows()) {
      if (r.tier() == tv1::TIER_COUNTY && r.county_code() == county && r.trainee_kind() == kind) return r;
    }
    ADD_FAILURE() << "no row " << county << " " << kind;
    return tv1::StatisticsRow();
  };
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).classes(), 2);
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).trainees(), 5);    // s1 counted once
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).enrolments(), 6);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).trainees(), 2);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).classes(), 2);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_FARMER_HERDER).classes(), 1);
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_FARMER_HERDER).enrolments() +
                row("", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).enrolments(),
            row("", tv1::TRAINEE_KIND_UNSPECIFIED).enrolments());

  // The city sees the city-level classes too.
  ASSERT_EQ(CreateClass(city_, "st-city", NewClass(tv1::TIER_CITY, "150900000000", "st", 340), &city).code,
            grpc::StatusCode::OK);
  req.set_region_code("");
  ASSERT_TRUE(training().GetStatistics(WithToken(city_).get(), req, &st).ok());
  bool city_row = false;
  for (const auto& r : st.rows()) city_row |= r.tier() == tv1::TIER_CITY && r.classes() >= 1;
  EXPECT_TRUE(city_row);
}

TEST_F(TrainingTest, AnotherCountysClassIsDeniedTheCitysIsVisible) {
  tv1::TrainingClass jining, city;
  ASSERT_EQ(CreateClass(jining_, "sc-j", NewClass(tv1::TIER_COUNTY, "150902000000", "scope", 5), &jining).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(CreateClass(city_, "sc-c", NewClass(tv1::TIER_CITY, "150900000000", "scope", 5), &city).code,
            grpc::StatusCode::OK);
  tv1::GetClassRequest get;
  tv1::TrainingClass out;
  get.set_id(jining.id());
  Outcome o = OutcomeOf(training().GetClass(WithToken(siziwang_).get(), get, &out));
  EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;
  EXPECT_EQ(o.field, "id");
  get.set_id(city.id());
  EXPECT_TRUE(training().GetClass(WithToken(siziwang_).get(), get, &out).ok());
  // A county operator cannot organise a city class or another county's.
  EXPECT_EQ(CreateClass(siziwang_, "sc-x", NewClass(tv1::TIER_COUNTY, "150902000000", "scope", 5), &out).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateClass(siziwang_, "sc-y", NewClass(tv1::TIER_CITY, "150900000000", "scope", 5), &out).code,
            grpc::StatusCode::PERMISSION_DENIED);
  // Enrolling someone into another county's class.
  EXPECT_EQ(Enrol(siziwang_, "sc-e", jining.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "某人",
                  "150929100001").code,
            grpc::StatusCode::PERMISSION_DENIED);
  // A county operator enrols its own secretary into the city's class.
  const std::string mine = MakeSecretary(9051, VillagesOf("150929")[0]);
  tv1::Enrolment e;
  ASSERT_EQ(Enrol(siziwang_, "sc-mine", city.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, mine, &e).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(e.county_code(), "150929");
  // Lists stay in scope: 四子王旗 sees its own and the city's classes only.
  tv1::ListClassesRequest list;
  list.set_theme("scope");
  tv1::ListClassesResponse classes;
  ASSERT_TRUE(training().ListClasses(WithToken(siziwang_).get(), list, &classes).ok());
  ASSERT_EQ(classes.classes_size(), 1);
  EXPECT_EQ(classes.classes(0).id(), city.id());
}

TEST_F(TrainingTest, FieldAndExpertVisits) {
  const auto v = VillagesOf("150928");
  const std::string a = MakeSecretary(9061, VillagesOf("150902")[10]);
  const std::string b = MakeSecretary(9062, VillagesOf("150929")[3]);
  tv1::CreateFieldVisitRequest req;
  req.set_request_id("fv-1");
  auto* fv = req.mutable_field_visit();
  fv->set_organiser_region_code("150900000000");
  fv->set_title("赴察右后旗学习观摩");
  fv->set_destination_region_code("150928000000");
  fv->add_sites("望山民宿");
  fv->add_sites("望山庭院, \"quoted\"");
  *fv->mutable_visit_date() = Day(2023, 3, 15);
  fv->add_participant_cadre_ids(a);
  fv->add_participant_cadre_ids(b);
  tv1::FieldVisit out;
  grpc::Status s = training().CreateFieldVisit(WithToken(city_).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.sites(1), "望山庭院, \"quoted\"");  // stored verbatim
  EXPECT_EQ(out.participant_cadre_ids_size(), 2);
  // An unknown participant is named.
  req.set_request_id("fv-2");
  fv->add_participant_cadre_ids("150902-999999");
  Outcome o = OutcomeOf(training().CreateFieldVisit(WithToken(city_).get(), req, &out));
  EXPECT_EQ(o.code, grpc::StatusCode::NOT_FOUND) << o;
  EXPECT_EQ(o.field, "field_visit.participant_cadre_ids[2]");

  tv1::ListFieldVisitsRequest list;
  list.set_year(2023);
  tv1::ListFieldVisitsResponse visits;
  ASSERT_TRUE(training().ListFieldVisits(WithToken(jining_).get(), list, &visits).ok());
  ASSERT_EQ(visits.field_visits_size(), 1);  // the city's visit, seen from a county
  EXPECT_EQ(visits.field_visits(0).sites(0), "望山民宿");

  tv1::CreateExpertVisitRequest ex;
  ex.set_request_id("ev-1");
  auto* e = ex.mutable_expert_visit();
  *e = NewExpertVisit(VillagesOf("150902")[10], a);
  tv1::ExpertVisit ev;
  s = training().CreateExpertVisit(WithToken(jining_).get(), ex, &ev);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ev.county_code(), "150902");
  e->set_village_code(v[0]);
  ex.set_request_id("ev-2");
  EXPECT_EQ(OutcomeOf(training().CreateExpertVisit(WithToken(jining_).get(), ex, &ev)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  tv1::ListExpertVisitsRequest el;
  el.set_topic(tv1::EXPERT_TOPIC_PLANTING);
  tv1::ListExpertVisitsResponse evs;
  ASSERT_TRUE(training().ListExpertVisits(WithToken(jining_).get(), el, &evs).ok());
  EXPECT_EQ(evs.expert_visits_size(), 1);
  ASSERT_TRUE(training().ListExpertVisits(WithToken(siziwang_).get(), el, &evs).ok());
  EXPECT_EQ(evs.expert_visits_size(), 0);
}

TEST_F(TrainingTest, APublishedTaskIsPublicFrozenAndSuperseded) {
  const auto v = VillagesOf("150902");
  tv1::CreatePracticeTaskRequest create;
  create.set_request_id("task-1");
  auto* t = create.mutable_task();
  t->set_region_code("150902000000");
  t->set_title("发展庭院经济");
  t->set_year(ThisYear());
  t->set_unit("户");
  for (int i = 0; i < 2; ++i) {
    auto* q = t->add_quotas();
    q->set_village_code(v[20 + i]);
    q->set_quantity(10 * (i + 1));
    q->set_responsible_name(absl::StrCat("责任人", i));
  }
  tv1::PracticeTask draft;
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &draft).ok());
  EXPECT_EQ(draft.status(), tv1::TASK_STATUS_DRAFT);
  ASSERT_EQ(draft.quotas_size(), 2);

  // A draft is not public, and may be edited.
  tv1::GetPracticeTaskRequest get;
  get.set_id(draft.id());
  tv1::PracticeTask seen;
  EXPECT_EQ(training().GetPracticeTask(WithToken(siziwang_).get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  tv1::UpdatePracticeTaskRequest update;
  update.set_request_id("task-1-edit");
  update.mutable_task()->set_id(draft.id());
  update.mutable_task()->set_title("发展庭院经济（修订）");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(training().UpdatePracticeTask(WithToken(jining_).get(), update, &seen).ok());
  EXPECT_EQ(seen.title(), "发展庭院经济（修订）");

  tv1::PublishPracticeTaskRequest publish;
  publish.set_request_id("task-1-pub");
  publish.set_id(draft.id());
  tv1::PracticeTask published;
  ASSERT_TRUE(training().PublishPracticeTask(WithToken(jining_).get(), publish, &published).ok());
  EXPECT_EQ(published.status(), tv1::TASK_STATUS_PUBLISHED);
  // Public: another county reads it, quotas included.
  ASSERT_TRUE(training().GetPracticeTask(WithToken(siziwang_).get(), get, &seen).ok());
  EXPECT_EQ(seen.quotas_size(), 2);
  // Frozen.
  update.set_request_id("task-1-edit-2");
  Outcome o = OutcomeOf(training().UpdatePracticeTask(WithToken(jining_).get(), update, &seen));
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "TASK_PUBLISHED");

  // Progress, then the roll-up.
  tv1::ReportPracticeProgressRequest rep;
  rep.set_request_id("task-1-p1");
  rep.set_task_id(published.id());
  rep.set_village_code(v[20]);
  rep.set_completed(4);
  *rep.mutable_report_date() = DaysFromToday(-1);
  tv1::PracticeProgressReport pr;
  ASSERT_TRUE(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr).ok());
  rep.set_request_id("task-1-p2");
  rep.set_completed(10);
  *rep.mutable_report_date() = DaysFromToday(0);
  ASSERT_TRUE(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr).ok());
  rep.set_request_id("task-1-p3");
  rep.set_completed(11);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).field, "completed");
  rep.set_village_code(v[30]);
  rep.set_completed(1);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).reason, "NO_QUOTA");
  tv1::GetPracticeTaskProgressRequest roll;
  roll.set_task_id(published.id());
  tv1::PracticeTaskProgress progress;
  ASSERT_TRUE(training().GetPracticeTaskProgress(WithToken(siziwang_).get(), roll, &progress).ok());
  EXPECT_EQ(progress.quantity(), 30);
  EXPECT_EQ(progress.completed(), 10);
  EXPECT_EQ(progress.villages(), 2);
  EXPECT_EQ(progress.villages_done(), 1);

  // Superseded by a new task once that one is published.
  create.set_request_id("task-2");
  t->set_supersedes(published.id());
  t->mutable_quotas(1)->set_quantity(25);
  tv1::PracticeTask next;
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &next).ok());
  publish.set_request_id("task-2-pub");
  publish.set_id(next.id());
  ASSERT_TRUE(training().PublishPracticeTask(WithToken(jining_).get(), publish, &next).ok());
  ASSERT_TRUE(training().GetPracticeTask(WithToken(jining_).get(), get, &seen).ok());
  EXPECT_EQ(seen.status(), tv1::TASK_STATUS_SUPERSEDED);
  EXPECT_EQ(seen.superseded_by(), next.id());
  rep.set_request_id("task-1-p4");
  rep.set_village_code(v[21]);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).reason,
            "TASK_SUPERSEDED");

  // The public board lists both for anyone; a draft of 集宁区 stays hidden.
  create.set_request_id("task-3");
  t->clear_supersedes();
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &draft).ok());
  tv1::ListPracticeTasksRequest list;
  tv1::ListPracticeTasksResponse board;
  ASSERT_TRUE(training().ListPracticeTasks(WithToken(siziwang_).get(), list, &board).ok());
  EXPECT_EQ(board.tasks_size(), 2);
  ASSERT_TRUE(training().ListPracticeTasks(WithToken(jining_).get(), list, &board).ok());
  EXPECT_EQ(board.tasks_size(), 3);
}

TEST_F(TrainingTest, SixteenClientsRaceForFiveSeats) {
  const auto v = RuralVillagesOf("150926");
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(Personnel()->Token(Role::kCountyOperator, "150926000000", "qianqi"), "race-cls",
                        NewClass(tv1::TIER_COUNTY, "150926000000", "race", 5), &cls).code,
            grpc::StatusCode::OK);
  const std::string token = Personnel()->Token(Role::kCountyOperator, "150926000000", "qianqi");
  std::vector<grpc::StatusCode> codes(16);
  std::vector<std::string> reasons(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Outcome o = Enrol(token, absl::StrCat("race-", i), cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr,
                        absl::StrCat("牧民", i), v[i % v.size()]);
      codes[i] = o.code;
      reasons[i] = o.reason;
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (int i = 0; i < 16; ++i) {
    if (codes[i] == grpc::StatusCode::OK) {
      ++ok;
    } else {
      EXPECT_EQ(reasons[i], "CLASS_FULL") << i;
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.enrolments WHERE class_id = " + cls.id().substr(7)), 5);
  EXPECT_EQ(Training()->Count("SELECT enrolled FROM training.classes WHERE id = " + cls.id().substr(7)), 5);
}

// Last: stops personnel. Training answers UNAVAILABLE within its deadline,
// and works again once personnel is back.
// Hostile values in every string and number field of training's main
// mutations (tests/support/hostile.h): stored verbatim and read back
// identical, or refused naming the field; never INTERNAL.
TEST_F(TrainingTest, HostileInputIsStoredVerbatimOrRefusedNamingTheField) {
  tv1::CreateClassRequest cls;
  *cls.mutable_training_class() = NewClass(tv1::TIER_COUNTY, "150902000000", "乡村振兴", 50);
  const std::string op = jining_;
  HostileSweep::SweepMutation<tv1::TrainingClass>(
      cls, "training_class.", {"id", "county_code"},
      [&](const tv1::CreateClassRequest& r, tv1::TrainingClass* a) { return training().CreateClass(WithToken(op).get(), r, a); },
      HostileSweep::ReadById(training(), &tv1::TrainingService::Stub::GetClass, op));

  const std::string secretary = MakeSecretary(7301, RuralVillagesOf("150902105")[5]);
  tv1::CreateExpertVisitRequest ex;
  *ex.mutable_expert_visit() = NewExpertVisit(RuralVillagesOf("150902105")[5], secretary);
  HostileSweep::SweepMutation<tv1::ExpertVisit>(
      ex, "expert_visit.", {"id", "county_code"},
      [&](const tv1::CreateExpertVisitRequest& r, tv1::ExpertVisit* a) {
        return training().CreateExpertVisit(WithToken(op).get(), r, a);
      });

  tv1::CreatePracticeTaskRequest task;
  auto* t = task.mutable_task();
  t->set_region_code("150902000000");
  t->set_title("发展庭院经济");
  t->set_year(ThisYear());
  t->set_unit("户");
  auto* q = t->add_quotas();
  q->set_village_code(RuralVillagesOf("150902105")[6]);
  q->set_quantity(10);
  q->set_responsible_name("责任人");
  HostileSweep::SweepMutation<tv1::PracticeTask>(
      task, "task.", {"id", "county_code", "superseded_by"},
      [&](const tv1::CreatePracticeTaskRequest& r, tv1::PracticeTask* a) {
        return training().CreatePracticeTask(WithToken(op).get(), r, a);
      },
      HostileSweep::ReadById(training(), &tv1::TrainingService::Stub::GetPracticeTask, op));
}

TEST_F(TrainingTest, ZPersonnelDownIsUnavailableAndRecovers) {
  const std::string a = MakeSecretary(9071, VillagesOf("150902")[40]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "down-cls", NewClass(tv1::TIER_COUNTY, "150902000000", "down", 10), &cls).code,
            grpc::StatusCode::OK);
  Personnel()->Stop();
  const auto start = std::chrono::steady_clock::now();
  Outcome o = Enrol(jining_, "down-1", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(o.code, grpc::StatusCode::UNAVAILABLE) << o;
  EXPECT_EQ(o.reason, "DOWNSTREAM_UNAVAILABLE");
  EXPECT_LT(took, std::chrono::seconds(5));
  tv1::GetCoverageRequest cov;
  cov.set_year(ThisYear());
  cov.set_theme("down");
  tv1::Coverage c;
  EXPECT_EQ(training().GetCoverage(WithToken(jining_).get(), cov, &c).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Reads that need no personnel still work.
  tv1::GetClassRequest get;
  get.set_id(cls.id());
  tv1::TrainingClass seen;
  EXPECT_TRUE(training().GetClass(WithToken(jining_).get(), get, &seen).ok());

  Personnel()->Restart();
  grpc::StatusCode code = grpc::StatusCode::UNAVAILABLE;
  const auto back = std::chrono::steady_clock::now();
  while (code == grpc::StatusCode::UNAVAILABLE &&
         std::chrono::steady_clock::now() - back < std::chrono::seconds(10)) {
    code = Enrol(jining_, "down-2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr).code;
    if (code == grpc::StatusCode::UNAVAILABLE) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(code, grpc::StatusCode::OK);
  EXPECT_LT(std::chrono::steady_clock::now() - back, std::chrono::seconds(5));
}

}  // namespace
}  // namespace touyan::testing
