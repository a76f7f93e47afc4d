// The care award from the facts as they stood at selection, its amount set
// per budget, and an award that cannot be paid listed beside the others.
// Same binary as incentive_test.cc, and after it: it shares its selection
// round (2023), and pays from the city's budget what the county's left.
#include "tests/incentive/fixture.h"

namespace touyan::testing {
namespace {

TEST_F(IncentiveTest,
       TheCareAwardPaysByTheFactsAtSelectionTheBudgetsAmountAndListsWhatItCannotPay) {
  const auto v = VillagesOf("150902205");
  ASSERT_GE(v.size(), 6u);
  // kept: on an establishment, still secretary. gone: on an establishment,
  // left the post before confirmation. left: on an establishment, confirmed,
  // then left. farmer: on none when confirmed, on one since.
  const std::string kept = QualifiedSecretary(9211, v[2], pv1::ESTABLISHMENT_STATUS_AGENCY);
  const std::string gone = QualifiedSecretary(9212, v[3], pv1::ESTABLISHMENT_STATUS_ENTERPRISE);
  const std::string left = QualifiedSecretary(9213, v[4], pv1::ESTABLISHMENT_STATUS_AGENCY);
  const std::string farmer = QualifiedSecretary(9214, v[5], pv1::ESTABLISHMENT_STATUS_NONE);

  std::map<std::string, pv1::Nomination> nomination;
  for (const std::string& c : {kept, gone, left, farmer}) nomination[c] = NominateGood(c);
  // Left the village (2023-10-31) before confirmation, and after.
  EndPost(jining_, "care-end-gone", gone, absl::CivilDay(2023, 10, 31),
          pv1::POSITION_END_REASON_RESIGNATION);
  for (const std::string& c : {kept, gone, left, farmer}) ConfirmGood(nomination[c]);
  EndPost(jining_, "care-end-left", left, absl::CivilDay(2023, 10, 31),
          pv1::POSITION_END_REASON_RESIGNATION);
  pv1::UpdateCadreRequest update;
  update.set_request_id("care-farmer-hired");
  update.mutable_cadre()->set_id(farmer);
  update.mutable_cadre()->set_establishment(pv1::ESTABLISHMENT_STATUS_AGENCY);
  update.mutable_update_mask()->add_paths("establishment");
  pv1::Cadre updated;
  grpc::Status s = stub().UpdateCadre(WithToken(jining_).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Personnel reads a confirmed nomination as it stood at confirmation.
  pv1::ListGoodSecretariesRequest good;
  good.set_year(2023);
  good.set_region_code("150902205000");
  good.set_status(pv1::NOMINATION_STATUS_CONFIRMED);
  good.set_page_size(100);
  pv1::ListGoodSecretariesResponse confirmed;
  ASSERT_TRUE(stub().ListGoodSecretaries(WithToken(city_).get(), good, &confirmed).ok());
  std::map<std::string, pv1::Nomination> by_cadre;
  for (const auto& n : confirmed.nominations()) by_cadre[n.cadre_id()] = n;
  ASSERT_EQ(by_cadre.count(left), 1u);
  EXPECT_EQ(by_cadre[left].party_org_id(), OrgOf(v[4]));
  EXPECT_EQ(by_cadre[gone].party_org_id(), "");
  EXPECT_EQ(by_cadre[farmer].establishment(), pv1::ESTABLISHMENT_STATUS_NONE);

  // The amount is the budget's; a bad one is refused naming the field.
  iv1::SetBudgetRequest budget;
  budget.set_request_id("care-budget-bad");
  budget.mutable_budget()->set_region_code("150900000000");
  budget.mutable_budget()->set_year(2023);
  budget.mutable_budget()->set_programme(iv1::PROGRAMME_CARE);
  budget.mutable_budget()->set_amount_fen(50'000'000);
  budget.mutable_budget()->set_award_fen(-1);
  Outcome bad = Call(&iv1::IncentiveService::Stub::SetBudget, city_, budget);
  EXPECT_EQ(bad.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.field, "budget.award_fen") << bad;
  budget.mutable_budget()->set_award_fen(200'000'000);
  budget.set_request_id("care-budget-huge");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::SetBudget, city_, budget).field, "budget.award_fen");
  budget.set_request_id("care-budget");
  budget.mutable_budget()->set_award_fen(800'000);  // 8,000 yuan
  iv1::Budget set;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetBudget, city_, budget, &set).code,
            StatusCode::OK);
  EXPECT_EQ(set.award_fen(), 800'000);

  iv1::PayCareAwardsRequest pay;
  pay.set_request_id("care-pay");
  pay.set_region_code("150900000000");
  pay.set_year(2023);
  iv1::PayCareAwardsResponse paid;
  Outcome o = Call(&iv1::IncentiveService::Stub::PayCareAwards, city_, pay, &paid);
  ASSERT_EQ(o.code, StatusCode::OK) << o;
  std::map<std::string, iv1::Award> award;
  for (const auto& a : paid.awards()) award[a.cadre_id()] = a;
  ASSERT_EQ(award.count(kept) + award.count(left) + award.count(farmer), 3u);
  EXPECT_EQ(award.count(gone), 0u);
  for (const std::string& c : {kept, left, farmer}) EXPECT_EQ(award[c].amount_fen(), 800'000);
  EXPECT_EQ(award[kept].recipient(), iv1::RECIPIENT_PARTY_ORG);
  EXPECT_EQ(award[kept].recipient_id(), OrgOf(v[2]));
  // Left the village after confirmation: still to the organisation then.
  EXPECT_EQ(award[left].recipient(), iv1::RECIPIENT_PARTY_ORG);
  EXPECT_EQ(award[left].recipient_id(), OrgOf(v[4]));
  // On no establishment when confirmed: personally, without priorities.
  EXPECT_EQ(award[farmer].recipient(), iv1::RECIPIENT_PERSON);
  EXPECT_FALSE(award[farmer].priority_promotion());
  // Left before confirmation: listed, with the reason, naming no one.
  ASSERT_EQ(paid.unpaid_size(), 1);
  EXPECT_EQ(paid.unpaid(0).cadre_id(), gone);
  EXPECT_EQ(paid.unpaid(0).nomination_id(), nomination[gone].id());
  EXPECT_EQ(paid.unpaid(0).reason(), "NO_PARTY_ORG");
  EXPECT_EQ(paid.unpaid(0).message().find(by_cadre[gone].cadre_name()), std::string::npos);
  EXPECT_EQ(paid.amount_fen(), 800'000 * paid.paid());

  // A retry answers the same; a later run finds them paid, the one still
  // unpaid.
  iv1::PayCareAwardsResponse again;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, city_, pay, &again).code,
            StatusCode::OK);
  EXPECT_EQ(again.SerializeAsString(), paid.SerializeAsString());
  pay.set_request_id("care-pay-later");
  iv1::PayCareAwardsResponse later;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, city_, pay, &later).code,
            StatusCode::OK);
  EXPECT_EQ(later.paid(), 0);
  EXPECT_GE(later.already_paid(), 3);
  ASSERT_EQ(later.unpaid_size(), 1);
  EXPECT_EQ(later.unpaid(0).cadre_id(), gone);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.awards WHERE amount_fen = 800000"),
            3);
}

}  // namespace
}  // namespace touyan::testing
