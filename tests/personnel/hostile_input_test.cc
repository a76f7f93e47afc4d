// Hostile input in every string and number field of the personnel
// mutations: each value is either stored verbatim and read back identical,
// or refused with INVALID_ARGUMENT naming a field (or another domain
// refusal) — never INTERNAL, never UNKNOWN, never a crash. Fields are found
// by reflection, so a field added later is covered without editing this file.
#include <limits>
#include <set>

#include "common/time/date.h"
#include "google/protobuf/descriptor.h"
#include "tests/personnel/fixture.h"
#include "tests/support/hostile.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_hostile"));

using grpc::StatusCode;

class HostileInputTest : public PersonnelTest, public HostileSweep {};

TEST_F(HostileInputTest, CadreFields) {
  pv1::CreateCadreRequest base;
  *base.mutable_cadre() = NewCadre(1);
  int seq = 100;
  Sweep(base, "cadre.", {"id", "county_code", "transferred_to", "transferred_from", "etag"},
        [&](const Message& m, std::unique_ptr<Message>* back) {
          pv1::CreateCadreRequest req;
          req.CopyFrom(m);
          // A fresh resident ID per attempt, unless the resident ID is the field under test.
          if (req.cadre().resident_id() == base.cadre().resident_id()) {
            req.mutable_cadre()->set_resident_id(NewCadre(seq++).resident_id());
          }
          pv1::Cadre out;
          grpc::Status s = stub().CreateCadre(WithToken(city_).get(), req, &out);
          if (s.ok()) {
            auto stored = std::make_unique<pv1::Cadre>();
            EXPECT_TRUE(Get(city_, out.id(), stored.get()).ok());
            *back = std::move(stored);
          }
          return s;
        });
}

TEST_F(HostileInputTest, OrganisationDesignationAndEvaluationFields) {
  pv1::CreatePartyOrgRequest org;
  org.mutable_party_org()->set_name("某企业党支部");
  org.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
  org.mutable_party_org()->set_region_code("150929100000");
  Sweep(org, "party_org.", {"id", "county_code", "etag"},
        [&](const Message& m, std::unique_ptr<Message>* back) {
          pv1::PartyOrg out;
          grpc::Status s = stub().CreatePartyOrg(
              WithToken(city_).get(), static_cast<const pv1::CreatePartyOrgRequest&>(m), &out);
          if (s.ok()) {
            pv1::GetPartyOrgRequest get;
            get.set_id(out.id());
            auto stored = std::make_unique<pv1::PartyOrg>();
            EXPECT_TRUE(stub().GetPartyOrg(WithToken(city_).get(), get, stored.get()).ok());
            *back = std::move(stored);
          }
          return s;
        });

  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "hostile-eval-cadre", NewCadre(2), &c).ok());
  pv1::RecordEvaluationRequest eval;
  eval.mutable_evaluation()->set_cadre_id(c.id());
  eval.mutable_evaluation()->set_criterion(pv1::CRITERION_CAPABILITY);
  eval.mutable_evaluation()->set_score(80);
  eval.mutable_evaluation()->set_evaluator("考察组");
  *eval.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(2023, 5, 1));
  // Evaluations are read back only as profile aggregates: their answer is the check.
  Sweep(eval, "evaluation.", {"id", "county_code"},
        [&](const Message& m, std::unique_ptr<Message>* back) {
          auto out = std::make_unique<pv1::Evaluation>();
          grpc::Status s = stub().RecordEvaluation(
              WithToken(city_).get(), static_cast<const pv1::RecordEvaluationRequest&>(m),
              out.get());
          if (s.ok()) *back = std::move(out);
          return s;
        });

  pv1::AddDesignationRequest des;
  des.mutable_designation()->set_party_org_id(OrgOf("150929100201"));
  des.mutable_designation()->set_kind(pv1::DESIGNATION_KIND_STRONGEST_BRANCH);
  des.mutable_designation()->set_year(2023);
  des.mutable_designation()->set_source("hostile-test");
  Sweep(des, "designation.", {"id", "county_code", "region_code", "close_result", "revoke_reason"},
        [&](const Message& m, std::unique_ptr<Message>* back) {
          auto out = std::make_unique<pv1::Designation>();
          grpc::Status s = stub().AddDesignation(
              WithToken(city_).get(), static_cast<const pv1::AddDesignationRequest&>(m), out.get());
          if (s.ok()) {
            pv1::RevokeDesignationRequest undo;  // free the (organisation, kind, year) slot again
            undo.set_request_id("undo-" +
                                static_cast<const pv1::AddDesignationRequest&>(m).request_id());
            undo.set_id(out->id());
            undo.set_reason("test");
            pv1::Designation ignored;
            EXPECT_TRUE(stub().RevokeDesignation(WithToken(city_).get(), undo, &ignored).ok());
            *back = std::move(out);
          }
          return s;
        });
}

}  // namespace
}  // namespace touyan::testing
