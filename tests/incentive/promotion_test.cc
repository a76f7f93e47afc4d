// The promotion channels (雨露计划): a city's policy, candidates ranked with
// the on-establishment priority, refusals naming the condition, a promotion
// that ends the village post and leaves a vacancy. Same binary as
// incentive_test.cc, and after it: it shares its 2023 selection round and
// recomputes Jining's 2023 assessments with a scheme of its own.
#include "tests/incentive/fixture.h"

namespace touyan::testing {
namespace {

// Cadre numbers from 10,227,000 are born on 1 January 1988: 35 on 1
// December 2023 (NewCadre's births follow the number).
constexpr int64_t kBorn1988 = 10'227'000;

class PromotionTest : public IncentiveTest {
 protected:
  void Inputs(const std::string& cadre, double value) {
    ASSERT_EQ(Input("promo-daily-" + cadre, cadre, iv1::INPUT_KIND_DAILY_MANAGEMENT, value).code,
              StatusCode::OK);
    ASSERT_EQ(Input("promo-review-" + cadre, cadre, iv1::INPUT_KIND_ANNUAL_REVIEW, value).code,
              StatusCode::OK);
  }

  Outcome Promote(const std::string& rid, const std::string& cadre, iv1::Channel channel,
                  iv1::Promotion* out = nullptr, const std::string& token = "") {
    iv1::RecordPromotionRequest req;
    req.set_request_id(rid);
    req.mutable_promotion()->set_cadre_id(cadre);
    req.mutable_promotion()->set_channel(channel);
    req.mutable_promotion()->set_year(2023);
    req.mutable_promotion()->set_post("白海子镇副镇长");
    *req.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2023, 12, 1));
    return Call(&iv1::IncentiveService::Stub::RecordPromotion, token.empty() ? jining_ : token, req,
                out);
  }

  std::vector<iv1::PromotionCandidate> Candidates(iv1::Channel channel, int* version = nullptr) {
    iv1::ListPromotionCandidatesRequest req;
    req.set_region_code("150902105000");
    req.set_year(2023);
    req.set_channel(channel);
    iv1::ListPromotionCandidatesResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListPromotionCandidates, jining_, req, &resp).code,
              StatusCode::OK);
    if (version) *version = resp.policy_version();
    return {resp.candidates().begin(), resp.candidates().end()};
  }

  std::vector<pv1::Vacancy> Vacancies() {
    pv1::ListVacanciesRequest req;
    req.set_region_code("150902105000");
    req.set_page_size(4);
    std::vector<pv1::Vacancy> out;
    do {
      pv1::ListVacanciesResponse page;
      grpc::Status s = stub().ListVacancies(WithToken(jining_).get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      out.insert(out.end(), page.vacancies().begin(), page.vacancies().end());
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && out.size() < 100);
    return out;
  }
};

TEST_F(PromotionTest, ChannelsTakeEligibleSecretariesOutOfTheVillageAndLeaveAVacancy) {
  const auto v = VillagesOf("150902105");
  ASSERT_GE(v.size(), 10u);
  // star: 35, a confirmed good secretary on an agency's establishment,
  // competent. best: 35, excellent. weak: 35, incompetent. old: 63, excellent.
  const std::string star =
      QualifiedSecretary(kBorn1988 + 101, v[6], pv1::ESTABLISHMENT_STATUS_AGENCY);
  const std::string best = MakeSecretary(kBorn1988 + 102, v[7]);
  const std::string weak = MakeSecretary(kBorn1988 + 103, v[8]);
  const std::string old = MakeSecretary(9951, v[9]);

  ConfirmGood(NominateGood(star));

  // Jining's 2023 grades from daily management and the annual review only.
  iv1::SetSchemeRequest scheme;
  scheme.set_request_id("promo-scheme");
  *scheme.mutable_scheme() = DailyAndReviewScheme("150902");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetScheme, jining_, scheme).code, StatusCode::OK);
  Inputs(star, 80);
  Inputs(best, 95);
  Inputs(weak, 50);
  Inputs(old, 95);
  Compute(jining_, "150902", "promo-assess");

  // Without a policy: Touyan's defaults, every channel.
  iv1::GetPromotionPolicyRequest get;
  get.set_region_code("150900000000");
  get.set_year(2023);
  iv1::PromotionPolicy policy;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetPromotionPolicy, jining_, get, &policy).code,
            StatusCode::OK);
  EXPECT_EQ(policy.version(), 0);
  ASSERT_EQ(policy.rules_size(), 3);

  // Candidates: the good secretary on an establishment before a better
  // score; the incompetent and the 63-year-olds (this township's other
  // secretaries too) left out.
  auto deputies = Candidates(iv1::CHANNEL_TOWNSHIP_DEPUTY);
  ASSERT_EQ(deputies.size(), 2u);
  EXPECT_EQ(deputies[0].cadre_id(), star);
  EXPECT_TRUE(deputies[0].priority());
  EXPECT_EQ(deputies[1].cadre_id(), best);
  EXPECT_DOUBLE_EQ(deputies[1].last_score(), 95);
  EXPECT_EQ(deputies[1].age(), 35);
  EXPECT_EQ(deputies[1].years_in_post(), 2);

  // Refusals name the condition; nothing is ended or recorded.
  Outcome o = Promote("promo-weak", weak, iv1::CHANNEL_TOWNSHIP_DEPUTY);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "BELOW_MIN_GRADE");
  EXPECT_EQ(o.field, "promotion.channel");
  EXPECT_EQ(Promote("promo-old", old, iv1::CHANNEL_TOWNSHIP_DEPUTY).reason, "ABOVE_MAX_AGE");
  EXPECT_EQ(
      Promote("promo-other-county", best, iv1::CHANNEL_TOWNSHIP_DEPUTY, nullptr, siziwang_).code,
      StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records WHERE kind = 4 AND "
                               "region_code LIKE '150902105%'"),
            0);

  // A promotion ends the village post and leaves a vacancy; a retry
  // answers the same and ends nothing twice.
  iv1::Promotion promoted;
  o = Promote("promo-best", best, iv1::CHANNEL_TOWNSHIP_DEPUTY, &promoted);
  ASSERT_EQ(o.code, StatusCode::OK) << o;
  EXPECT_EQ(promoted.party_org_id(), OrgOf(v[7]));
  EXPECT_EQ(promoted.last_grade(), iv1::GRADE_EXCELLENT);
  EXPECT_EQ(promoted.age(), 35);
  EXPECT_EQ(promoted.policy_version(), 0);
  iv1::Promotion again;
  ASSERT_EQ(Promote("promo-best", best, iv1::CHANNEL_TOWNSHIP_DEPUTY, &again).code, StatusCode::OK);
  EXPECT_EQ(again.SerializeAsString(), promoted.SerializeAsString());
  pv1::ListPositionsRequest lp;
  lp.set_cadre_id(best);
  pv1::ListPositionsResponse posts;
  ASSERT_TRUE(stub().ListPositions(WithToken(jining_).get(), lp, &posts).ok());
  ASSERT_EQ(posts.positions_size(), 1);
  EXPECT_EQ(posts.positions(0).id(), promoted.position_id());
  EXPECT_EQ(posts.positions(0).end_reason(), pv1::POSITION_END_REASON_PROMOTION);
  EXPECT_EQ(posts.positions(0).ended_on().day(), 1);
  std::map<std::string, pv1::Vacancy> open;
  for (const auto& x : Vacancies()) open[x.party_org_id()] = x;
  ASSERT_EQ(open.count(OrgOf(v[7])), 1u);
  EXPECT_EQ(open[OrgOf(v[7])].reason(), pv1::POSITION_END_REASON_PROMOTION);
  EXPECT_EQ(open[OrgOf(v[7])].last_position_id(), promoted.position_id());
  EXPECT_EQ(open.count(OrgOf(v[6])), 0u);  // star is still there
  EXPECT_EQ(open.count(OrgOf(v[0])), 1u);  // never had a secretary
  EXPECT_EQ(open[OrgOf(v[0])].last_position_id(), "");
  ASSERT_EQ(Candidates(iv1::CHANNEL_TOWNSHIP_DEPUTY).size(), 1u);  // best has left

  // Corrections: the post or the channel, from the version read; a new
  // channel's conditions are checked against the recorded facts.
  auto correct = [&](const std::string& rid, const std::string& etag,
                     const std::vector<std::string>& paths, iv1::Promotion* out,
                     const std::string& token = "", const std::string& reason = "录入错误更正") {
    iv1::CorrectPromotionRequest req;
    req.set_request_id(rid);
    req.mutable_promotion()->set_id(promoted.id());
    req.mutable_promotion()->set_etag(etag);
    req.mutable_promotion()->set_post("白海子镇党委委员、副镇长");
    req.mutable_promotion()->set_channel(iv1::CHANNEL_PUBLIC_INSTITUTION);
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    req.set_reason(reason);
    return Call(&iv1::IncentiveService::Stub::CorrectPromotion, token.empty() ? jining_ : token,
                req, out);
  };
  iv1::Promotion corrected, ignored;
  ASSERT_FALSE(promoted.etag().empty());
  ASSERT_EQ(correct("promo-fix-post", promoted.etag(), {"post"}, &corrected).code, StatusCode::OK);
  EXPECT_EQ(corrected.post(), "白海子镇党委委员、副镇长");
  EXPECT_EQ(corrected.channel(), iv1::CHANNEL_TOWNSHIP_DEPUTY);
  EXPECT_EQ(corrected.correction_reason(), "录入错误更正");
  EXPECT_EQ(corrected.position_id(), promoted.position_id()) << "the ended post stays ended";
  EXPECT_NE(corrected.etag(), promoted.etag());
  o = correct("promo-fix-stale", promoted.etag(), {"channel"}, &ignored);
  EXPECT_EQ(o.code, StatusCode::ABORTED) << o;
  EXPECT_EQ(o.reason, "ETAG_MISMATCH");
  EXPECT_EQ(o.field, "promotion.etag");
  EXPECT_EQ(correct("promo-fix-year", "", {"year"}, &ignored).field, "update_mask");
  EXPECT_EQ(correct("promo-fix-none", "", {}, &ignored).field, "update_mask");
  EXPECT_EQ(correct("promo-fix-why", "", {"post"}, &ignored, "", "").field, "reason");
  EXPECT_EQ(correct("promo-fix-other", "", {"post"}, &ignored, siziwang_).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(correct("promo-fix-channel", corrected.etag(), {"channel"}, &corrected).code,
            StatusCode::OK);
  EXPECT_EQ(corrected.channel(), iv1::CHANNEL_PUBLIC_INSTITUTION);
  iv1::ListPromotionsRequest lpr;
  lpr.set_region_code("150902105000");
  lpr.set_year(2023);
  iv1::ListPromotionsResponse listed;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListPromotions, jining_, lpr, &listed).code,
            StatusCode::OK);
  ASSERT_EQ(listed.promotions_size(), 1);
  EXPECT_EQ(listed.promotions(0).channel(), iv1::CHANNEL_PUBLIC_INSTITUTION);
  EXPECT_EQ(listed.promotions(0).etag(), corrected.etag());
  auto get_promotion = [&](const std::string& token, iv1::Promotion* out) {
    return GetById(&iv1::IncentiveService::Stub::GetPromotion, token, promoted.id(), out);
  };
  iv1::Promotion got;
  ASSERT_EQ(get_promotion(jining_, &got).code, StatusCode::OK);
  EXPECT_EQ(got.etag(), corrected.etag());
  EXPECT_EQ(got.correction_reason(), "录入错误更正");
  EXPECT_EQ(get_promotion(siziwang_, &got).code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get_promotion(township_, &got).code, StatusCode::PERMISSION_DENIED)
      << "a township operator of 新体路 does not read 白海子镇's promotions";

  // The city's policy: versioned, its own to set, checked field by field.
  iv1::SetPromotionPolicyRequest set;
  set.set_request_id("promo-policy");
  set.mutable_policy()->set_region_code("150900000000");
  set.mutable_policy()->set_year(2023);
  auto* rule = set.mutable_policy()->add_rules();
  rule->set_channel(iv1::CHANNEL_CIVIL_SERVICE);
  rule->set_min_years_in_post(2);
  rule->set_min_grade(iv1::GRADE_COMPETENT);
  rule->set_max_age(10);
  o = Call(&iv1::IncentiveService::Stub::SetPromotionPolicy, city_, set);
  EXPECT_EQ(o.field, "policy.rules[0].max_age") << o;
  rule->set_max_age(30);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::SetPromotionPolicy, jining_, set).code,
            StatusCode::PERMISSION_DENIED);
  iv1::PromotionPolicy stored;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetPromotionPolicy, city_, set, &stored).code,
            StatusCode::OK);
  EXPECT_EQ(stored.version(), 1);
  int version = 0;
  EXPECT_TRUE(Candidates(iv1::CHANNEL_CIVIL_SERVICE, &version).empty());  // 35 > 30
  EXPECT_EQ(version, 1);
  EXPECT_EQ(Promote("promo-star-civil", star, iv1::CHANNEL_CIVIL_SERVICE).reason, "ABOVE_MAX_AGE");
  EXPECT_EQ(Candidates(iv1::CHANNEL_PUBLIC_INSTITUTION).size(), 1u);  // the default still
}

}  // namespace
}  // namespace touyan::testing
