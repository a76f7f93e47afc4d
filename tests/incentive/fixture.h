// The incentive service through its gRPC API, with personnel, training and
// contest running beside it (it reads all three), each on real Postgres.
#ifndef TOUYAN_TESTS_INCENTIVE_FIXTURE_H_
#define TOUYAN_TESTS_INCENTIVE_FIXTURE_H_

#include <array>
#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "common/time/date.h"
#include "services/contest/spec.h"
#include "services/incentive/domain/example_scheme.h"
#include "services/incentive/spec.h"
#include "services/personnel/domain/resident_id.h"
#include "services/training/spec.h"
#include "tests/contest/fixture.h"
#include "tests/support/hostile.h"
#include "touyan/incentive/v1/incentive.grpc.pb.h"
#include "touyan/privacy/v1/privacy.grpc.pb.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::testing {

namespace iv1 = ::touyan::incentive::v1;
namespace tv1 = ::touyan::training::v1;
using grpc::StatusCode;
using incentive::ExampleScheme;

inline ServiceUnderTest* Incentive() { return Caller(); }

// The services' "today" (China time), and days from it.
inline absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
}
inline google::type::Date Day(int from_today) { return ToDate(Today() + from_today); }

class IncentiveTest : public ContestTest {
 protected:
  iv1::IncentiveService::Stub& incentive() {
    if (!incentive_) incentive_ = iv1::IncentiveService::NewStub(Incentive()->channel());
    return *incentive_;
  }

  // Calls an incentive method as `token`; the outcome, and the answer in `out`.
  template <typename Req, typename Resp>
  Outcome Call(grpc::Status (iv1::IncentiveService::Stub::*method)(grpc::ClientContext*, const Req&,
                                                                   Resp*),
               const std::string& token, const Req& req, Resp* out = nullptr) {
    Resp ignored;
    return OutcomeOf((incentive().*method)(WithToken(token).get(), req, out ? out : &ignored));
  }

  // A Get of the resource `id` as `token` (GetAward, GetCase, …): the
  // outcome, and the resource in `out`.
  template <typename Req, typename Resp>
  Outcome GetById(grpc::Status (iv1::IncentiveService::Stub::*method)(grpc::ClientContext*,
                                                                      const Req&, Resp*),
                  const std::string& token, const std::string& id, Resp* out = nullptr) {
    return ::touyan::testing::GetById(incentive(), method, token, id, out);
  }

  Outcome Input(const std::string& rid, const std::string& cadre, iv1::InputKind kind, double value,
                const std::string& token = "") {
    iv1::RecordInputRequest req;
    req.set_request_id(rid);
    req.mutable_input()->set_cadre_id(cadre);
    req.mutable_input()->set_year(2023);
    req.mutable_input()->set_kind(kind);
    req.mutable_input()->set_value(value);
    *req.mutable_input()->mutable_recorded_on() = ToDate(absl::CivilDay(2023, 11, 1));
    return Call(&iv1::IncentiveService::Stub::RecordInput, token.empty() ? jining_ : token, req);
  }

  // Computes a county's 2023 assessments as `token`; OK expected.
  void Compute(const std::string& token, const std::string& county, const std::string& rid) {
    iv1::ComputeAssessmentsRequest compute;
    compute.set_request_id(rid);
    compute.set_county_code(county);
    compute.set_year(2023);
    const Outcome o = Call(&iv1::IncentiveService::Stub::ComputeAssessments, token, compute);
    EXPECT_EQ(o.code, StatusCode::OK) << o;
  }

  // The example scheme of a county's 2023 graded on daily management and
  // the annual review only (50 / 50), without training's share.
  static iv1::Scheme DailyAndReviewScheme(const std::string& county) {
    iv1::Scheme s = ExampleScheme(county, 2023);
    auto* w = s.mutable_weights();
    w->set_daily_management(50);
    w->set_annual_review(50);
    w->set_contest(0);
    w->set_stars(0);
    w->set_democratic(0);
    s.set_training_share(0);
    return s;
  }

  // A cadre with `establishment`, made branch secretary of `village` and
  // evaluated so that it meets all five conditions in 2023.
  std::string QualifiedSecretary(int seq, const std::string& village,
                                 pv1::EstablishmentStatus establishment) {
    pv1::Cadre c = NewCadre(seq, village);
    c.set_establishment(establishment);
    const std::string id = MakeSecretary(c, village, pv1::POSITION_KIND_DUAL_ROLE);
    const std::array<int, 5> scores = {85, 80, 90, 88, 92};
    for (int k = 0; k < 5; ++k) {
      pv1::RecordEvaluationRequest req;
      req.set_request_id(absl::StrCat("inc-eval-", seq, "-", k));
      req.mutable_evaluation()->set_cadre_id(id);
      req.mutable_evaluation()->set_criterion(static_cast<pv1::Criterion>(k + 1));
      req.mutable_evaluation()->set_score(scores[k]);
      req.mutable_evaluation()->set_evaluator("旗委组织部考察组");
      *req.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(2023, 6, 1));
      req.mutable_evaluation()->set_evidence("年度考察");
      pv1::Evaluation e;
      grpc::Status s = stub().RecordEvaluation(WithToken(city_).get(), req, &e);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return id;
  }

  // The city's 2023 selection round (Jining's quota 10), opened by the first
  // test that asks (the same request replays): its id.
  std::string SelectionRound2023() {
    pv1::CreateSelectionRoundRequest round;
    round.set_request_id("inc-selection-2023");
    round.mutable_round()->set_year(2023);
    round.mutable_round()->set_region_code("150900000000");
    round.mutable_round()->set_total_quota(100);
    auto* q = round.mutable_round()->add_quotas();
    q->set_county_code("150902");
    q->set_quota(10);
    pv1::SelectionRound made;
    grpc::Status s = stub().CreateSelectionRound(WithToken(city_).get(), round, &made);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return made.id();
  }
  // `cadre` nominated a good secretary by Jining in the 2023 round.
  pv1::Nomination NominateGood(const std::string& cadre) {
    pv1::NominateGoodSecretaryRequest nom;
    nom.set_request_id("inc-nom-" + cadre);
    nom.set_round_id(SelectionRound2023());
    nom.set_cadre_id(cadre);
    nom.set_reason("带领群众发展集体经济");
    pv1::Nomination n;
    grpc::Status s = stub().NominateGoodSecretary(WithToken(jining_).get(), nom, &n);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n;
  }
  // The nomination confirmed by the city.
  pv1::Nomination ConfirmGood(const pv1::Nomination& n) {
    pv1::ConfirmGoodSecretaryRequest confirm;
    confirm.set_request_id("inc-confirm-" + n.cadre_id());
    confirm.set_id(n.id());
    pv1::Nomination out;
    grpc::Status s = stub().ConfirmGoodSecretary(WithToken(city_).get(), confirm, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<iv1::WellbeingAlert> AllAlerts(const std::string& token, const std::string& region) {
    std::vector<iv1::WellbeingAlert> out;
    iv1::ListWellbeingAlertsRequest req;
    req.set_region_code(region);
    req.set_page_size(1);
    do {
      iv1::ListWellbeingAlertsResponse page;
      EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListWellbeingAlerts, token, req, &page).code,
                StatusCode::OK);
      for (const auto& a : page.alerts()) out.push_back(a);
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && out.size() < 100);
    return out;
  }

 private:
  std::unique_ptr<iv1::IncentiveService::Stub> incentive_;
};

inline const iv1::Component& Part(const iv1::Assessment& a, const std::string& name) {
  for (const auto& c : a.components()) {
    if (c.name() == name) return c;
  }
  static iv1::Component none;
  ADD_FAILURE() << "no component " << name;
  return none;
}

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_INCENTIVE_FIXTURE_H_
