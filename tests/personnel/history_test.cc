// Appointment history, replacing a secretary (动态调整), adjustment counts,
// and designations of organisations — through gRPC on real Postgres.
#include "common/time/date.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/personnel/fixture.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_history"));

using grpc::StatusCode;

google::type::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

class HistoryTest : public PersonnelTest {
 protected:
  std::string NewCadreId(int64_t n, const std::string& village) {
    pv1::Cadre c;
    grpc::Status s = Create(city_, "hist-cadre-" + std::to_string(n), NewCadre(n, village), &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.id();
  }
  Outcome Appoint(const std::string& cadre, const std::string& org, pv1::Position* out = nullptr) {
    pv1::CreatePositionRequest req;
    req.set_request_id("hist-appoint-" + cadre);
    req.mutable_position()->set_cadre_id(cadre);
    req.mutable_position()->set_party_org_id(org);
    req.mutable_position()->set_kind(pv1::POSITION_KIND_BRANCH_SECRETARY);
    *req.mutable_position()->mutable_term_start() = Day(2021, 1, 15);
    pv1::Position p;
    Outcome o = OutcomeOf(stub().CreatePosition(WithToken(city_).get(), req, &p));
    if (out) *out = p;
    return o;
  }
  Outcome Replace(const std::string& rid, const std::string& org, const std::string& cadre,
                  pv1::ReplaceSecretaryResponse* out, google::type::Date when = Day(2023, 6, 1)) {
    pv1::ReplaceSecretaryRequest req;
    req.set_request_id(rid);
    req.set_party_org_id(org);
    req.set_new_cadre_id(cadre);
    *req.mutable_effective_on() = when;
    return OutcomeOf(stub().ReplaceSecretary(WithToken(siziwang_).get(), req, out));
  }
  std::vector<pv1::Position> History(const std::string& org, bool current_only) {
    pv1::ListPositionsRequest req;
    req.set_party_org_id(org);
    req.set_current_only(current_only);
    pv1::ListPositionsResponse resp;
    EXPECT_TRUE(stub().ListPositions(WithToken(siziwang_).get(), req, &resp).ok());
    return {resp.positions().begin(), resp.positions().end()};
  }
  int64_t Adjustments(int year, const std::string& region) {
    pv1::CountAdjustmentsRequest req;
    req.set_year(year);
    req.set_region_code(region);
    pv1::CountAdjustmentsResponse resp;
    grpc::Status s = stub().CountAdjustments(WithToken(city_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.total();
  }
};

TEST_F(HistoryTest, ReplacingASecretaryLeavesOneCurrentAndAHistoryOfTwo) {
  const std::string village = "150929101201";
  const std::string org = OrgOf(village);
  const std::string a = NewCadreId(1, village), b = NewCadreId(2, village);
  ASSERT_EQ(Appoint(a, org).code, StatusCode::OK);
  const int64_t before = Adjustments(2023, "150929000000");

  pv1::ReplaceSecretaryResponse r;
  Outcome o = Replace("hist-replace-1", org, b, &r);
  ASSERT_EQ(o.code, StatusCode::OK) << o;
  EXPECT_EQ(r.ended().cadre_id(), a);
  EXPECT_EQ(r.ended().end_reason(), pv1::POSITION_END_REASON_ADJUSTMENT);
  EXPECT_EQ(r.ended().ended_on().year(), 2023);
  EXPECT_EQ(r.started().cadre_id(), b);
  EXPECT_EQ(r.started().term_start().month(), 6);

  std::vector<pv1::Position> current = History(org, true);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].cadre_id(), b);
  EXPECT_EQ(History(org, false).size(), 2u);
  pv1::ListPositionsRequest by_cadre;
  by_cadre.set_cadre_id(a);
  pv1::ListPositionsResponse a_history;
  ASSERT_TRUE(stub().ListPositions(WithToken(siziwang_).get(), by_cadre, &a_history).ok());
  ASSERT_EQ(a_history.positions_size(), 1);
  EXPECT_EQ(a_history.positions(0).end_reason(), pv1::POSITION_END_REASON_ADJUSTMENT);

  EXPECT_EQ(Adjustments(2023, "150929000000"), before + 1);
  EXPECT_EQ(Adjustments(2023, "150902000000"), 0);
  EXPECT_EQ(Adjustments(2022, "150929000000"), 0);

  // A retry changes nothing; replacing with the same person is refused.
  ASSERT_EQ(Replace("hist-replace-1", org, b, &r).code, StatusCode::OK);
  EXPECT_EQ(History(org, false).size(), 2u);
  EXPECT_EQ(Replace("hist-replace-2", org, b, &r).reason, "SAME_CADRE");
}

TEST_F(HistoryTest, AFailedReplacementChangesNothing) {
  const std::string village = "150929101202";
  const std::string org = OrgOf(village);
  const std::string a = NewCadreId(10, village);
  pv1::ReplaceSecretaryResponse r;
  EXPECT_EQ(Replace("hist-none", org, a, &r).reason, "NO_CURRENT_SECRETARY");
  ASSERT_EQ(Appoint(a, org).code, StatusCode::OK);

  // Someone born in 2010 is too young: the old term must not have ended.
  pv1::Cadre young = NewCadre(11, village);
  std::string first17 = "15092920100101011";
  young.set_resident_id(first17 + personnel::ResidentIdCheckChar(first17));
  young.clear_birth_date();
  young.clear_gender();
  pv1::Cadre y;
  ASSERT_TRUE(Create(city_, "hist-young", young, &y).ok());
  Outcome o = Replace("hist-young-1", org, y.id(), &r);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(o.reason, "TOO_YOUNG");
  std::vector<pv1::Position> current = History(org, true);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].cadre_id(), a) << "nothing half-written";
  EXPECT_FALSE(current[0].has_ended_on());

  o = Replace("hist-future", org, NewCadreId(12, village), &r, Day(2999, 1, 1));
  EXPECT_EQ(o.field, "effective_on") << o;
  o = Replace("hist-other-county", org, NewCadreId(13, "150902001001"), &r);
  EXPECT_EQ(o.reason, "CROSS_COUNTY");
}

TEST_F(HistoryTest, ConcurrentReplacementsKeepOneCurrentSecretary) {
  const std::string village = "150929101203";
  const std::string org = OrgOf(village);
  ASSERT_EQ(Appoint(NewCadreId(20, village), org).code, StatusCode::OK);
  std::vector<std::string> next;
  for (int i = 0; i < 6; ++i) next.push_back(NewCadreId(21 + i, village));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      pv1::ReplaceSecretaryResponse r;
      if (Replace("hist-race-" + std::to_string(i), org, next[i], &r).code == StatusCode::OK) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6) << "replacements serialise on the organisation";
  EXPECT_EQ(History(org, true).size(), 1u);
  EXPECT_EQ(History(org, false).size(), 7u);
}

TEST_F(HistoryTest, EndingATerm) {
  const std::string village = "150929101204";
  const std::string org = OrgOf(village);
  pv1::Position p;
  ASSERT_EQ(Appoint(NewCadreId(30, village), org, &p).code, StatusCode::OK);
  pv1::EndPositionRequest req;
  req.set_request_id("hist-end-1");
  req.set_id(p.id());
  *req.mutable_ended_on() = Day(2023, 3, 1);
  req.set_reason(pv1::POSITION_END_REASON_RESIGNATION);
  req.set_note("本人申请");
  pv1::Position ended;
  ASSERT_TRUE(stub().EndPosition(WithToken(siziwang_).get(), req, &ended).ok());
  EXPECT_EQ(ended.end_reason(), pv1::POSITION_END_REASON_RESIGNATION);
  EXPECT_EQ(ended.end_note(), "本人申请");
  req.set_request_id("hist-end-2");
  EXPECT_EQ(OutcomeOf(stub().EndPosition(WithToken(siziwang_).get(), req, &ended)).reason,
            "ALREADY_ENDED");
  req.set_request_id("hist-end-3");
  EXPECT_EQ(OutcomeOf(stub().EndPosition(WithToken(jining_).get(), req, &ended)).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(History(org, true).size(), 0u);
}

// ----------------------------------------------------------- designations

class DesignationsTest : public HistoryTest {
 protected:
  Outcome Add(const std::string& rid, const std::string& org, pv1::DesignationKind kind, int year,
              const std::string& source, pv1::Designation* out = nullptr,
              const std::string& token = "") {
    pv1::AddDesignationRequest req;
    req.set_request_id(rid);
    req.mutable_designation()->set_party_org_id(org);
    req.mutable_designation()->set_kind(kind);
    req.mutable_designation()->set_year(year);
    req.mutable_designation()->set_source(source);
    pv1::Designation d;
    Outcome o =
        OutcomeOf(stub().AddDesignation(WithToken(token.empty() ? city_ : token).get(), req, &d));
    if (out) *out = d;
    return o;
  }
};

TEST_F(DesignationsTest, NoRectificationAndDemonstrationSiteInOneYear) {
  const std::string org = OrgOf("150929102201");
  pv1::Designation site;
  ASSERT_EQ(Add("des-1", org, pv1::DESIGNATION_KIND_DEMONSTRATION_SITE, 2023,
                "contest/outcomes/150929-1", &site)
                .code,
            StatusCode::OK);
  EXPECT_EQ(site.region_code(), "150929102201");
  Outcome o =
      Add("des-2", org, pv1::DESIGNATION_KIND_RECTIFICATION_TARGET, 2023, "county-decision/1");
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(o.reason, "DESIGNATION_CONFLICT");
  EXPECT_EQ(
      Add("des-3", org, pv1::DESIGNATION_KIND_RECTIFICATION_TARGET, 2024, "county-decision/2").code,
      StatusCode::OK)
      << "another year is another question";
  EXPECT_EQ(
      Add("des-4", org, pv1::DESIGNATION_KIND_STRONGEST_BRANCH, 2023, "contest/outcomes/150929-1")
          .code,
      StatusCode::OK);
}

TEST_F(DesignationsTest, TheSameOutcomeWrittenTwiceIsOneDesignation) {
  const std::string org = OrgOf("150929102202");
  pv1::Designation first, again;
  ASSERT_EQ(Add("des-src-1", org, pv1::DESIGNATION_KIND_MODEL_VILLAGE, 2023,
                "contest/outcomes/150929-9", &first)
                .code,
            StatusCode::OK);
  ASSERT_EQ(Add("des-src-2", org, pv1::DESIGNATION_KIND_MODEL_VILLAGE, 2023,
                "contest/outcomes/150929-9", &again)
                .code,
            StatusCode::OK);
  EXPECT_EQ(first.id(), again.id());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.designations WHERE party_org_id = " +
                        org.substr(7)),
            1);
  EXPECT_EQ(
      Add("des-src-3", org, pv1::DESIGNATION_KIND_MODEL_VILLAGE, 2023, "county-decision/9").reason,
      "ALREADY_DESIGNATED");
  EXPECT_EQ(
      Add("des-src-4", org, pv1::DESIGNATION_KIND_MODEL_VILLAGE, 2023, "x", nullptr, jining_).code,
      StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Add("des-src-5", org, pv1::DESIGNATION_KIND_MODEL_VILLAGE, 2023, "", nullptr).field,
            "designation.source");
}

TEST_F(DesignationsTest, ARectificationGetsAnInstructorAndClosesOnce) {
  const std::string org = OrgOf("150929102203");
  pv1::Designation d;
  ASSERT_EQ(Add("des-rect-1", org, pv1::DESIGNATION_KIND_RECTIFICATION_TARGET, 2023,
                "contest/outcomes/150929-30", &d)
                .code,
            StatusCode::OK);
  pv1::AssignInstructorRequest assign;
  assign.set_request_id("des-rect-2");
  assign.set_id(d.id());
  assign.set_instructor("王指导");
  *assign.mutable_rectification_deadline() = Day(2023, 12, 31);
  ASSERT_TRUE(stub().AssignInstructor(WithToken(siziwang_).get(), assign, &d).ok());
  EXPECT_EQ(d.instructor(), "王指导");

  pv1::CloseRectificationRequest close;
  close.set_request_id("des-rect-3");
  close.set_id(d.id());
  *close.mutable_closed_on() = Day(2023, 11, 20);
  close.set_result("整顿达标，转为合格党组织");
  ASSERT_TRUE(stub().CloseRectification(WithToken(siziwang_).get(), close, &d).ok());
  EXPECT_EQ(d.closed_on().day(), 20);
  close.set_request_id("des-rect-4");
  EXPECT_EQ(OutcomeOf(stub().CloseRectification(WithToken(siziwang_).get(), close, &d)).reason,
            "ALREADY_CLOSED");
  EXPECT_EQ(OutcomeOf(stub().CloseRectification(WithToken(auditor_).get(), close, &d)).code,
            StatusCode::PERMISSION_DENIED);

  pv1::ListDesignationsRequest list;
  list.set_region_code("150929102000");
  list.set_year(2023);
  list.set_kind(pv1::DESIGNATION_KIND_RECTIFICATION_TARGET);
  pv1::ListDesignationsResponse found;
  ASSERT_TRUE(stub().ListDesignations(WithToken(auditor_).get(), list, &found).ok());
  ASSERT_EQ(found.designations_size(), 1);
  EXPECT_EQ(found.designations(0).close_result(), "整顿达标，转为合格党组织");

  pv1::RevokeDesignationRequest revoke;
  revoke.set_request_id("des-rect-5");
  revoke.set_id(d.id());
  revoke.set_reason("录入错误");
  ASSERT_TRUE(stub().RevokeDesignation(WithToken(siziwang_).get(), revoke, &d).ok());
  EXPECT_TRUE(d.revoked());
  ASSERT_TRUE(stub().ListDesignations(WithToken(auditor_).get(), list, &found).ok());
  EXPECT_EQ(found.designations_size(), 0) << "revoked ones are hidden by default";
  list.set_include_revoked(true);
  ASSERT_TRUE(stub().ListDesignations(WithToken(auditor_).get(), list, &found).ok());
  EXPECT_EQ(found.designations_size(), 1);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE resource = 'designations/" +
                        d.id() + "'"),
            4);
}

// Each record reads back by id as it was written; another county is refused,
// and so is a township operator for another township's record; an unknown id
// is NOT_FOUND.
TEST_F(DesignationsTest, PostsDesignationsAndSupportReadBackById) {
  using Stub = pv1::PersonnelService::Stub;
  auto same = [](const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return google::protobuf::util::MessageDifferencer::Equals(a, b);
  };
  // In Jining: one village of the township operator's township, one outside it.
  const std::string inside = VillagesOf("150902001")[1], outside = VillagesOf("150902002")[0];
  pv1::Position post, read;
  ASSERT_EQ(Appoint(NewCadreId(40, inside), OrgOf(inside), &post).code, StatusCode::OK);
  ASSERT_EQ(GetById(stub(), &Stub::GetPosition, township_, post.id(), &read).code, StatusCode::OK);
  EXPECT_TRUE(same(read, post)) << read.DebugString();
  EXPECT_EQ(GetById(stub(), &Stub::GetPosition, siziwang_, post.id()).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetPosition, jining_, "150902-999999").code,
            StatusCode::NOT_FOUND);
  EXPECT_EQ(GetById(stub(), &Stub::GetPosition, jining_, "not-an-id").field, "id");

  pv1::Designation site, got;
  ASSERT_EQ(Add("get-des-1", OrgOf(outside), pv1::DESIGNATION_KIND_DEMONSTRATION_SITE, 2023,
                "county-decision/get-1", &site)
                .code,
            StatusCode::OK);
  ASSERT_EQ(GetById(stub(), &Stub::GetDesignation, auditor_, site.id(), &got).code, StatusCode::OK);
  EXPECT_TRUE(same(got, site)) << got.DebugString();
  EXPECT_EQ(GetById(stub(), &Stub::GetDesignation, township_, site.id()).code,
            StatusCode::PERMISSION_DENIED)
      << "another township of the same county";
  EXPECT_EQ(GetById(stub(), &Stub::GetDesignation, siziwang_, site.id()).code,
            StatusCode::PERMISSION_DENIED);

  pv1::RecordSupportRequest support;
  support.set_request_id("get-support-1");
  support.mutable_entry()->set_designation_id(site.id());
  support.mutable_entry()->set_kind(pv1::SUPPORT_KIND_FUNDS);
  support.mutable_entry()->set_amount_fen(5000000);
  support.mutable_entry()->set_title("党建示范点建设资金");
  *support.mutable_entry()->mutable_granted_on() = Day(2023, 9, 1);
  pv1::SupportEntry entry, entry_read;
  ASSERT_TRUE(stub().RecordSupport(WithToken(jining_).get(), support, &entry).ok());
  ASSERT_EQ(GetById(stub(), &Stub::GetSupportEntry, jining_, entry.id(), &entry_read).code,
            StatusCode::OK);
  EXPECT_TRUE(same(entry_read, entry)) << entry_read.DebugString();
  EXPECT_EQ(GetById(stub(), &Stub::GetSupportEntry, siziwang_, entry.id()).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetSupportEntry, jining_, "150902-999999").code,
            StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace touyan::testing
