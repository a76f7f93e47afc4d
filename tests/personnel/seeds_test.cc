// The seed pipeline (村推镇选县考), the village coverage report, returnee
// recruitment, and appointments with their lineage — through gRPC on real
// Postgres.
#include <map>

#include "common/time/date.h"
#include "tests/personnel/fixture.h"
#include "tests/support/exported.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_seeds"));

using grpc::StatusCode;

class SeedsTest : public PersonnelTest {
 protected:
  const std::string jishengtai_ = svc().Token(Role::kTownshipOperator, "150929101000", "jst-op");
  const std::string kulun_ = svc().Token(Role::kTownshipOperator, "150929102000", "klt-op");

  Outcome Nominate(const std::string& token, int seq, const std::string& village, pv1::Seed* out) {
    pv1::NominateSeedRequest req;
    req.set_request_id(absl::StrCat("seed-nom-", seq, "-", village, "-", token.size()));
    *req.mutable_seed()->mutable_person() = NewCadre(seq, village);
    req.mutable_seed()->set_strengths("返乡创业，带动养殖合作社");
    return OutcomeOf(stub().NominateSeed(WithToken(token).get(), req, out));
  }
  Outcome Select(const std::string& token, const std::string& id, bool yes, pv1::Seed* out) {
    pv1::SelectSeedRequest req;
    req.set_request_id(absl::StrCat("seed-sel-", id, "-", token.size(), "-", yes));
    req.set_id(id);
    req.set_selected(yes);
    return OutcomeOf(stub().SelectSeed(WithToken(token).get(), req, out));
  }
  Outcome Examine(const std::string& token, const std::string& id, bool yes, pv1::Seed* out) {
    pv1::ExamineSeedRequest req;
    req.set_request_id(absl::StrCat("seed-exa-", id, "-", token.size(), "-", yes));
    req.set_id(id);
    req.set_approved(yes);
    req.set_note("考察合格");
    return OutcomeOf(stub().ExamineSeed(WithToken(token).get(), req, out));
  }
  std::string Approved(int seq, const std::string& village) {
    pv1::Seed s;
    EXPECT_EQ(Nominate(siziwang_, seq, village, &s).code, StatusCode::OK);
    EXPECT_EQ(Select(siziwang_, s.id(), true, &s).code, StatusCode::OK);
    EXPECT_EQ(Examine(siziwang_, s.id(), true, &s).code, StatusCode::OK);
    EXPECT_EQ(s.stage(), pv1::SEED_STAGE_APPROVED);
    return s.id();
  }

  Outcome Appoint(const std::string& rid, bool seed, const std::string& id, const std::string& org,
                  pv1::AppointResponse* out) {
    pv1::AppointRequest req;
    req.set_request_id(rid);
    if (seed)
      req.set_seed_id(id);
    else
      req.set_returnee_id(id);
    req.set_party_org_id(org);
    req.set_kind(pv1::POSITION_KIND_COMMITTEE_MEMBER);
    *req.mutable_term_start() = ToDate(absl::CivilDay(2023, 4, 1));
    return OutcomeOf(stub().Appoint(WithToken(siziwang_).get(), req, out));
  }
};

TEST_F(SeedsTest, TheVillageRecommendsTheTownshipSelectsTheCountyExamines) {
  const std::string village = "150929101201";
  pv1::Seed s;
  ASSERT_EQ(Nominate(jishengtai_, 1, village, &s).code, StatusCode::OK);
  EXPECT_EQ(s.stage(), pv1::SEED_STAGE_NOMINATED);
  EXPECT_EQ(Nominate(kulun_, 2, village, &s).code, StatusCode::PERMISSION_DENIED)
      << "another township's village";
  pv1::Seed other;
  EXPECT_EQ(Nominate(city_, 3, village, &other).reason, "WRONG_LEVEL");

  EXPECT_EQ(Examine(siziwang_, s.id(), true, &s).reason, "WRONG_STAGE")
      << "the county examines only what the township selected";
  ASSERT_EQ(Select(jishengtai_, s.id(), true, &s).code, StatusCode::OK);
  Outcome o = Examine(jishengtai_, s.id(), true, &s);
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED) << "a township cannot take the county's step";
  EXPECT_EQ(o.reason, "WRONG_LEVEL");
  ASSERT_EQ(Examine(siziwang_, s.id(), true, &s).code, StatusCode::OK);
  EXPECT_EQ(s.stage(), pv1::SEED_STAGE_APPROVED);
  ASSERT_EQ(s.steps_size(), 3);
  EXPECT_EQ(s.steps(0).by(), "jst-op");
  EXPECT_EQ(s.steps(1).by_role(), "township_operator");
  EXPECT_EQ(s.steps(2).by(), "siziwang-op");
  EXPECT_EQ(s.steps(2).note(), "考察合格");
  EXPECT_GT(s.steps(2).at().seconds(), 0);
  EXPECT_EQ(Examine(siziwang_, s.id(), false, &s).reason, "WRONG_STAGE");

  pv1::ListSeedsRequest list;
  list.set_region_code(village);
  list.set_stage(pv1::SEED_STAGE_APPROVED);
  pv1::ListSeedsResponse seeds;
  ASSERT_TRUE(stub().ListSeeds(WithToken(auditor_).get(), list, &seeds).ok());
  ASSERT_EQ(seeds.seeds_size(), 1);
  EXPECT_NE(seeds.seeds(0).person().resident_id().find("********"), std::string::npos);
  EXPECT_EQ(seeds.seeds(0).steps_size(), 3);

  // By id: as listed, masked the same way; the township and the county read
  // it, another township and another county do not.
  using Stub = pv1::PersonnelService::Stub;
  pv1::Seed read;
  ASSERT_EQ(GetById(stub(), &Stub::GetSeed, auditor_, s.id(), &read).code, StatusCode::OK);
  EXPECT_EQ(read.DebugString(), seeds.seeds(0).DebugString());
  ASSERT_EQ(GetById(stub(), &Stub::GetSeed, jishengtai_, s.id(), &read).code, StatusCode::OK);
  EXPECT_EQ(read.stage(), pv1::SEED_STAGE_APPROVED);
  EXPECT_EQ(GetById(stub(), &Stub::GetSeed, kulun_, s.id()).code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetSeed, jining_, s.id()).code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetSeed, siziwang_, "150929-999999").code,
            StatusCode::NOT_FOUND);
}

TEST_F(SeedsTest, CoverageListsExactlyTheVillagesBelowTwoApprovedSeeds) {
  const std::string township = "150929205000";  // 忽鸡图乡
  std::vector<std::string> villages = VillagesOf("150929205");
  ASSERT_GE(villages.size(), 4u);
  // villages[0]: two approved; [1]: one approved, one only selected; [2]: three approved.
  Approved(100, villages[0]);
  Approved(101, villages[0]);
  Approved(102, villages[1]);
  pv1::Seed half;
  ASSERT_EQ(Nominate(siziwang_, 103, villages[1], &half).code, StatusCode::OK);
  ASSERT_EQ(Select(siziwang_, half.id(), true, &half).code, StatusCode::OK);
  for (int i = 0; i < 3; ++i) Approved(104 + i, villages[2]);
  pv1::Seed rejected;
  ASSERT_EQ(Nominate(siziwang_, 107, villages[3], &rejected).code, StatusCode::OK);
  ASSERT_EQ(Select(siziwang_, rejected.id(), false, &rejected).code, StatusCode::OK);
  EXPECT_EQ(rejected.stage(), pv1::SEED_STAGE_REJECTED);

  std::set<std::string> expected(villages.begin(), villages.end());
  expected.erase(villages[0]);
  expected.erase(villages[2]);

  pv1::SeedCoverageRequest req;
  req.set_region_code(township);
  req.set_page_size(3);
  std::set<std::string> below;
  pv1::SeedCoverageResponse resp;
  for (int pages = 0; pages < 100; ++pages) {
    grpc::Status s = stub().SeedCoverage(WithToken(siziwang_).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& v : resp.villages_below()) {
      EXPECT_TRUE(below.insert(v.village_code()).second);
      EXPECT_EQ(v.approved_seeds(), v.village_code() == villages[1] ? 1 : 0) << v.village_code();
      EXPECT_EQ(v.township_code(), township);
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(below, expected);
  ASSERT_EQ(resp.townships_size(), 1);
  EXPECT_EQ(resp.townships(0).villages(), static_cast<int>(villages.size()));
  EXPECT_EQ(resp.townships(0).villages_below(), static_cast<int>(villages.size()) - 2);
  ASSERT_EQ(resp.counties_size(), 1);
  EXPECT_EQ(resp.counties(0).region_code(), "150929000000");

  pv1::SeedCoverageRequest county;
  county.set_region_code("150929000000");
  county.set_page_size(1000);
  ASSERT_TRUE(stub().SeedCoverage(WithToken(siziwang_).get(), county, &resp).ok());
  EXPECT_EQ(resp.villages(), static_cast<int>(VillagesOf("150929").size()));
  EXPECT_EQ(resp.townships_size(), 14);
  county.set_region_code("150902000000");
  EXPECT_EQ(stub().SeedCoverage(WithToken(siziwang_).get(), county, &resp).error_code(),
            StatusCode::PERMISSION_DENIED);

  // The pipeline as a workbook (openpyxl): the township's seeds, each stage
  // counted, the villages below target as SeedCoverage counts them, and no
  // resident ID anywhere.
  pv1::ExportSeedsRequest ex;
  ex.set_region_code(township);
  auto ctx = WithToken(siziwang_);
  auto reader = stub().ExportSeeds(ctx.get(), ex);
  Exported x = ReadExport(*reader);
  ASSERT_EQ(x.end.code, StatusCode::OK) << x.end;
  EXPECT_EQ(x.filename, "seeds-150929205.xlsx");
  nlohmann::json wb = ReadWorkbook(x.bytes);
  ASSERT_TRUE(wb.is_object()) << "openpyxl could not read the workbook";
  const nlohmann::json& seeds = wb["sheets"]["种子人选"]["rows"];
  ASSERT_EQ(seeds.size(), 1u + 8 + 2) << "a header, 8 seeds, a blank row and the note";
  std::map<std::string, int> stages;
  for (size_t i = 1; i <= 8; ++i) {
    EXPECT_EQ(seeds[i][1], township);
    ++stages[seeds[i][4].get<std::string>()];
  }
  EXPECT_EQ(stages, (std::map<std::string, int>{{"县考", 6}, {"镇选", 1}, {"未通过", 1}}));
  EXPECT_EQ(wb.dump().find(half.person().resident_id().substr(6, 8)), std::string::npos)
      << "no resident ID in the workbook";
  const nlohmann::json& towns = wb["sheets"]["乡镇汇总"];
  EXPECT_EQ(towns["freeze"], "A2");
  ASSERT_GE(towns["rows"].size(), 2u);
  const nlohmann::json& row = towns["rows"][1];
  EXPECT_EQ(row[0], township);
  EXPECT_EQ(row[1], static_cast<int>(villages.size()));
  EXPECT_EQ(row[2], static_cast<int>(villages.size()) - 2);
  EXPECT_EQ(row[5], 6);
  ex.set_region_code("150902000000");
  auto other_ctx = WithToken(siziwang_);
  auto other = stub().ExportSeeds(other_ctx.get(), ex);
  EXPECT_EQ(ReadExport(*other).end.code, StatusCode::PERMISSION_DENIED);
}

TEST_F(SeedsTest, AnApprovedSeedIsAppointedWithItsLineage) {
  const std::string village = "150929101202";
  const std::string org = OrgOf(village);
  std::string seed = Approved(200, village);
  pv1::AppointResponse r;
  Outcome o = Appoint("seed-appoint-1", true, seed, org, &r);
  ASSERT_EQ(o.code, StatusCode::OK) << o;
  EXPECT_EQ(r.position().seed_id(), seed);
  EXPECT_EQ(r.position().kind(), pv1::POSITION_KIND_COMMITTEE_MEMBER);
  EXPECT_EQ(r.position().cadre_id(), r.cadre().id());
  EXPECT_EQ(r.cadre().region_code(), village);

  pv1::ListSeedsRequest list;
  list.set_region_code(village);
  list.set_stage(pv1::SEED_STAGE_APPOINTED);
  pv1::ListSeedsResponse seeds;
  ASSERT_TRUE(stub().ListSeeds(WithToken(siziwang_).get(), list, &seeds).ok());
  ASSERT_EQ(seeds.seeds_size(), 1);
  EXPECT_EQ(seeds.seeds(0).cadre_id(), r.cadre().id());
  EXPECT_EQ(seeds.seeds(0).position_id(), r.position().id());
  EXPECT_EQ(seeds.seeds(0).steps_size(), 4);

  EXPECT_EQ(Appoint("seed-appoint-2", true, seed, org, &r).reason, "WRONG_STAGE");
  pv1::Seed fresh;
  ASSERT_EQ(Nominate(siziwang_, 201, village, &fresh).code, StatusCode::OK);
  EXPECT_EQ(Appoint("seed-appoint-3", true, fresh.id(), org, &r).reason, "WRONG_STAGE");
  EXPECT_EQ(
      Appoint("seed-appoint-4", true, Approved(202, village), OrgOf("150929101203"), &r).reason,
      "NOT_THE_VILLAGE");
}

TEST_F(SeedsTest, ReturneesArePlacedAndCountedByOrigin) {
  const std::string village = "150929104202";
  auto create = [&](int seq, pv1::Origin origin, const std::string& token, pv1::Returnee* out) {
    pv1::CreateReturneeRequest req;
    req.set_request_id(absl::StrCat("ret-", seq, "-", token.size()));
    *req.mutable_returnee()->mutable_person() = NewCadre(seq, village);
    req.mutable_returnee()->mutable_person()->set_origin(origin);
    req.mutable_returnee()->set_note("退役回村");
    return OutcomeOf(stub().CreateReturnee(WithToken(token).get(), req, out));
  };
  pv1::Returnee a, b, c;
  ASSERT_EQ(create(300, pv1::ORIGIN_VETERAN, siziwang_, &a).code, StatusCode::OK);
  ASSERT_EQ(create(301, pv1::ORIGIN_VETERAN, siziwang_, &b).code, StatusCode::OK);
  ASSERT_EQ(create(302, pv1::ORIGIN_COLLEGE_GRADUATE, siziwang_, &c).code, StatusCode::OK);
  EXPECT_EQ(a.status(), pv1::RETURNEE_STATUS_CANDIDATE);
  Outcome o = create(303, pv1::ORIGIN_LOCAL, siziwang_, &c);
  EXPECT_EQ(o.field, "returnee.person.origin");
  EXPECT_EQ(create(304, pv1::ORIGIN_VETERAN, jining_, &c).code, StatusCode::PERMISSION_DENIED);
  pv1::Returnee dup;
  pv1::CreateReturneeRequest again;
  again.set_request_id("ret-dup");
  *again.mutable_returnee()->mutable_person() = NewCadre(300, village);
  again.mutable_returnee()->mutable_person()->set_origin(pv1::ORIGIN_VETERAN);
  EXPECT_EQ(OutcomeOf(stub().CreateReturnee(WithToken(siziwang_).get(), again, &dup)).reason,
            "ALREADY_A_RETURNEE");

  pv1::AppointResponse r;
  ASSERT_EQ(Appoint("ret-place-1", false, a.id(), OrgOf(village), &r).code, StatusCode::OK);
  EXPECT_EQ(r.position().returnee_id(), a.id());
  EXPECT_EQ(r.cadre().origin(), pv1::ORIGIN_VETERAN);
  EXPECT_EQ(Appoint("ret-place-2", false, a.id(), OrgOf(village), &r).reason, "ALREADY_PLACED");

  using Stub = pv1::PersonnelService::Stub;
  pv1::Returnee one;
  ASSERT_EQ(GetById(stub(), &Stub::GetReturnee, auditor_, a.id(), &one).code, StatusCode::OK);
  EXPECT_EQ(one.status(), pv1::RETURNEE_STATUS_PLACED);
  EXPECT_EQ(one.position_id(), r.position().id());
  EXPECT_EQ(one.note(), "退役回村");
  EXPECT_NE(one.person().resident_id().find("********"), std::string::npos)
      << "masked for the auditor as in ListReturnees";
  EXPECT_EQ(GetById(stub(), &Stub::GetReturnee, jining_, a.id()).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetReturnee, siziwang_, "150929-999999").code,
            StatusCode::NOT_FOUND);

  pv1::ReturneeStatisticsRequest stats_req;
  stats_req.set_region_code("150929000000");
  pv1::ReturneeStatisticsResponse stats;
  ASSERT_TRUE(stub().ReturneeStatistics(WithToken(auditor_).get(), stats_req, &stats).ok());
  EXPECT_EQ(stats.candidates(), 3);
  EXPECT_EQ(stats.placed(), 1);
  for (const auto& c : stats.counts()) {
    if (c.origin() == pv1::ORIGIN_VETERAN) {
      EXPECT_EQ(c.candidates(), 2);
      EXPECT_EQ(c.placed(), 1);
    } else {
      EXPECT_EQ(c.origin(), pv1::ORIGIN_COLLEGE_GRADUATE);
      EXPECT_EQ(c.candidates(), 1);
    }
  }
  pv1::ListReturneesRequest list;
  list.set_origin(pv1::ORIGIN_VETERAN);
  list.set_status(pv1::RETURNEE_STATUS_PLACED);
  pv1::ListReturneesResponse placed;
  ASSERT_TRUE(stub().ListReturnees(WithToken(siziwang_).get(), list, &placed).ok());
  ASSERT_EQ(placed.returnees_size(), 1);
  EXPECT_EQ(placed.returnees(0).position_id(), r.position().id());
}

TEST_F(SeedsTest, VacanciesShowTheirReserveAndTheVillagesWithNeither) {
  const std::string county = svc().Token(Role::kCountyOperator, "150926000000", "qq-op");
  const auto v = VillagesOf("150926105");  // 土贵乌拉镇: no secretary yet in this test's database
  ASSERT_GE(v.size(), 4u);
  // v[0]: its secretary adjusted out, an approved seed in reserve; v[1]: a
  // candidate returnee; the others: neither.
  const pv1::Position ended =
      EndPost(county, "vac-end", MakeSecretary(700, v[0]), absl::CivilDay(2023, 3, 1),
              pv1::POSITION_END_REASON_ADJUSTMENT);
  pv1::Seed seed;
  ASSERT_EQ(Nominate(county, 701, v[0], &seed).code, StatusCode::OK);
  ASSERT_EQ(Select(county, seed.id(), true, &seed).code, StatusCode::OK);
  ASSERT_EQ(Examine(county, seed.id(), true, &seed).code, StatusCode::OK);
  pv1::CreateReturneeRequest ret;
  ret.set_request_id("vac-returnee");
  *ret.mutable_returnee()->mutable_person() = NewCadre(702, v[1]);
  ret.mutable_returnee()->mutable_person()->set_origin(pv1::ORIGIN_COLLEGE_GRADUATE);
  pv1::Returnee returnee;
  ASSERT_TRUE(stub().CreateReturnee(WithToken(county).get(), ret, &returnee).ok());

  auto vacancies = [&](bool without_reserve) {
    pv1::ListVacanciesRequest req;
    req.set_region_code("150926105000");
    req.set_without_reserve(without_reserve);
    req.set_page_size(2);
    std::map<std::string, pv1::Vacancy> out;
    do {
      pv1::ListVacanciesResponse page;
      grpc::Status s = stub().ListVacancies(WithToken(county).get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const auto& x : page.vacancies()) out[x.region_code()] = x;
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && out.size() < 100);
    return out;
  };
  auto all = vacancies(false);
  EXPECT_EQ(all.size(), v.size());  // paged to the end: every village of the township
  EXPECT_EQ(all[v[0]].last_position_id(), ended.id());
  EXPECT_EQ(all[v[0]].reason(), pv1::POSITION_END_REASON_ADJUSTMENT);
  EXPECT_EQ(all[v[0]].since().year(), 2023);
  EXPECT_EQ(all[v[0]].approved_seeds(), 1);
  EXPECT_EQ(all[v[1]].candidate_returnees(), 1);
  EXPECT_EQ(all[v[2]].last_position_id(), "");  // never had a secretary
  auto neither = vacancies(true);
  EXPECT_EQ(neither.size(), v.size() - 2);
  EXPECT_EQ(neither.count(v[0]) + neither.count(v[1]), 0u);

  // The seed takes the post: the village is no longer vacant.
  pv1::AppointRequest ap;
  ap.set_request_id("vac-appoint");
  ap.set_seed_id(seed.id());
  ap.set_party_org_id(OrgOf(v[0]));
  ap.set_kind(pv1::POSITION_KIND_BRANCH_SECRETARY);
  *ap.mutable_term_start() = ToDate(absl::CivilDay(2023, 4, 1));
  pv1::AppointResponse appointed;
  grpc::Status s = stub().Appoint(WithToken(county).get(), ap, &appointed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(vacancies(false).count(v[0]), 0u);
  // Another county's operator may not list them.
  pv1::ListVacanciesRequest other;
  other.set_region_code("150926105000");
  pv1::ListVacanciesResponse none;
  EXPECT_EQ(OutcomeOf(stub().ListVacancies(WithToken(siziwang_).get(), other, &none)).code,
            StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace touyan::testing
