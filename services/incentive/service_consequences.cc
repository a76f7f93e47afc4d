#include "services/incentive/domain/consequences.h"
#include "services/incentive/domain/promotion.h"
#include "services/incentive/service_util.h"

// What an assessment leads to: the city's policy, the proposals of a
// county's year, an operator's decision and its effect (a supervision case
// and an exit measure, or an eligibility).
namespace touyan::incentive {

TOUYAN_UNARY(IncentiveService, SetConsequencePolicy, v1::SetConsequencePolicyRequest,
             v1::ConsequencePolicy)
TOUYAN_UNARY(IncentiveService, GetConsequencePolicy, v1::GetConsequencePolicyRequest,
             v1::ConsequencePolicy)
TOUYAN_UNARY(IncentiveService, ProposeConsequences, v1::ProposeConsequencesRequest,
             v1::ProposeConsequencesResponse)
TOUYAN_UNARY(IncentiveService, DecideProposal, v1::DecideProposalRequest, v1::Proposal)
TOUYAN_UNARY(IncentiveService, GetProposal, v1::GetProposalRequest, v1::Proposal)
TOUYAN_UNARY(IncentiveService, ListProposals, v1::ListProposalsRequest, v1::ListProposalsResponse)

namespace {
// Records of a filter, every page.
absl::StatusOr<std::vector<StoredRecord>> AllRecords(CallContext& call, IncentiveRepository& repo,
                                                     const RecordFilter& filter) {
  std::vector<StoredRecord> out;
  paging::Page page{.size = 1000};
  do {
    ASSIGN_OR_RETURN(PageOf<StoredRecord> rows, repo.ListRecords(call, filter, page));
    for (StoredRecord& s : rows.items) out.push_back(std::move(s));
    page.cursor = rows.next_cursor;
  } while (!page.cursor.empty());
  return out;
}
}  // namespace

absl::StatusOr<v1::ConsequencePolicy> IncentiveService::DoSetConsequencePolicy(
    CallContext& call, const v1::SetConsequencePolicyRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateConsequencePolicy(r.policy(), Today(call)), "policy."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(r.policy().region_code()), "policy.region_code"));
  v1::ConsequencePolicy p = r.policy();
  RETURN_IF_ERROR(repo_->SetPolicy(call, r, r.request_id(), PolicyKind::kConsequence,
                                   r.policy().region_code(), r.policy().year(), p));
  return WithDefaults(std::move(p));
}

absl::StatusOr<v1::ConsequencePolicy> IncentiveService::DoGetConsequencePolicy(
    CallContext& call, const v1::GetConsequencePolicyRequest& r) {
  RETURN_IF_ERROR(CheckCityYear(r.region_code(), r.year(), Today(call)));
  return PolicyOf<v1::ConsequencePolicy>(call, PolicyKind::kConsequence, r.region_code(), r.year());
}

absl::StatusOr<v1::ProposeConsequencesResponse> IncentiveService::DoProposeConsequences(
    CallContext& call, const v1::ProposeConsequencesRequest& r) {
  ASSIGN_OR_RETURN(const std::string county_region, CountyYearWrite(call, r));
  ASSIGN_OR_RETURN(
      v1::ConsequencePolicy policy,
      PolicyOf<v1::ConsequencePolicy>(call, PolicyKind::kConsequence,
                                      r.county_code().substr(0, 4) + "00000000", r.year()));

  std::vector<v1::Proposal> called;
  std::map<std::string, std::string> region_of;
  paging::Page page{.size = 1000};
  bool any = false;
  do {
    ASSIGN_OR_RETURN(
        PageOf<v1::Assessment> got,
        repo_->ListAssessments(call, r.county_code(), r.year(), v1::GRADE_UNSPECIFIED, page));
    for (const v1::Assessment& a : got.items) {
      any = true;
      region_of[a.cadre_id()] = a.region_code().empty() ? county_region : a.region_code();
      for (v1::Proposal& p : CalledFor(policy, a)) called.push_back(std::move(p));
    }
    page.cursor = got.next_cursor;
  } while (!page.cursor.empty());
  if (!any) {
    return Failed("NO_ASSESSMENTS",
                  absl::StrCat("county ", r.county_code(), " has no assessments for ", r.year(),
                               ": ComputeAssessments first"),
                  "county_code");
  }
  return repo_->ReviseProposals(call, r, called, region_of);
}

absl::StatusOr<v1::Proposal> IncentiveService::DoDecideProposal(
    CallContext& call, const v1::DecideProposalRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 2000, /*required=*/true));
  const absl::CivilDay today = Today(call);
  absl::CivilDay on = today;
  if (IsSet(r.decided_on())) {
    ASSIGN_OR_RETURN(on, ToCivilDay("decided_on", r.decided_on()));
    if (on > today) return InvalidField("decided_on", "must not be in the future", "IN_FUTURE");
  }
  v1::Proposal p;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kProposal, id, "id", p));
  const bool exit_step = r.confirm() && p.kind() == v1::PROPOSAL_KIND_EXIT_STEP;
  absl::CivilDay rectify_by = on + 90;
  std::optional<pv1::Position> post;
  absl::Status no_post;
  if (exit_step) {
    RETURN_IF_ERROR(ValidateText("deciding_body", r.deciding_body(), 200, /*required=*/true));
    if (r.appeal_window_days() < 0 || r.appeal_window_days() > 60) {
      return InvalidField("appeal_window_days", "must be from 0 to 60", "OUT_OF_RANGE");
    }
    if (IsSet(r.rectify_by())) {
      ASSIGN_OR_RETURN(rectify_by, ToCivilDay("rectify_by", r.rectify_by()));
      if (rectify_by < on) {
        return InvalidField("rectify_by", "must not be before decided_on", "BEFORE_DECISION");
      }
    }
    // The post a removing step would end (asked before the transaction).
    absl::StatusOr<pv1::Position> got = personnel_.SecretaryPost(call, p.cadre_id(), "id");
    if (got.ok()) {
      post = *std::move(got);
    } else if (got.status().code() == absl::StatusCode::kFailedPrecondition) {
      no_post = got.status();
    } else {
      return got.status();
    }
  }

  const std::string by = call.principal().subject;
  v1::Proposal out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kProposal, id, "id",
      [&](db::Tx& tx, google::protobuf::Message& msg, RecordMeta& meta) -> absl::Status {
        auto& x = static_cast<v1::Proposal&>(msg);
        if (x.state() != v1::PROPOSAL_STATE_PENDING) {
          return Failed(
              x.state() == v1::PROPOSAL_STATE_WITHDRAWN ? "PROPOSAL_WITHDRAWN" : "ALREADY_DECIDED",
              "proposal " + id.ToString() + " is " + v1::ProposalState_Name(x.state()), "id");
        }
        x.set_state(r.confirm() ? v1::PROPOSAL_STATE_CONFIRMED : v1::PROPOSAL_STATE_REJECTED);
        x.set_decision_reason(r.reason());
        x.set_decided_by(by);
        *x.mutable_decided_on() = ToDate(on);
        meta.open = false;
        if (!exit_step) return absl::OkStatus();

        // The next step for the cadre's history now, which may have moved
        // since the proposal.
        const v1::MeasureKind kind = NextStep(repo_->MeasuresOf(tx, x.cadre_id()));
        if (Removes(kind) && !post) return no_post;
        const std::string grounds =
            absl::StrCat("assessment ", x.year(), ": ", x.basis(), " (proposal ", id.ToString(),
                         "; ", r.reason(), ")")
                .substr(0, 2000);
        v1::SupervisionCase c;
        c.set_cadre_id(x.cadre_id());
        c.set_cadre_name(x.cadre_name());
        c.set_kind(v1::FLAG_KIND_ASSESSMENT);
        c.set_reminder(grounds);
        *c.mutable_raised_on() = ToDate(on);
        *c.mutable_rectify_by() = ToDate(rectify_by);
        repo_->InsertRecord(call, tx, RecordKind::kCase,
                            {.cadre_id = x.cadre_id(),
                             .region_code = meta.region_code,
                             .year = static_cast<int>(on.year()),
                             .on = on,
                             .due = rectify_by,
                             .open = true},
                            c);
        v1::ExitMeasure m;
        m.set_cadre_id(x.cadre_id());
        m.set_cadre_name(x.cadre_name());
        m.set_kind(kind);
        m.set_grounds(grounds);
        *m.mutable_decided_on() = ToDate(on);
        m.set_deciding_body(r.deciding_body());
        m.set_appeal_window_days(r.appeal_window_days());
        m.set_state(v1::MEASURE_STATE_DECIDED);
        m.set_removes(Removes(kind));
        if (m.removes()) m.set_position_id(post->id());
        repo_->InsertRecord(call, tx, RecordKind::kMeasure,
                            {.cadre_id = x.cadre_id(),
                             .region_code = meta.region_code,
                             .year = static_cast<int>(on.year()),
                             .on = on},
                            m);
        x.set_measure_kind(kind);
        x.set_case_id(c.id());
        x.set_measure_id(m.id());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::Proposal> IncentiveService::DoGetProposal(CallContext& call,
                                                             const v1::GetProposalRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), false));
  v1::Proposal p;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kProposal, id, "id", p));
  return p;
}

absl::StatusOr<v1::ListProposalsResponse> IncentiveService::DoListProposals(
    CallContext& call, const v1::ListProposalsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::ProposalKind_IsValid));
  RETURN_IF_ERROR(CheckEnum("state", r.state(), v1::ProposalState_IsValid));
  RecordFilter f{.kind = RecordKind::kProposal,
                 .region_prefix = prefix,
                 .cadre_id = r.cadre_id(),
                 .year = r.year()};
  if (r.kind() != v1::PROPOSAL_KIND_UNSPECIFIED) f.kind_name = v1::ProposalKind_Name(r.kind());
  if (r.state() != v1::PROPOSAL_STATE_UNSPECIFIED) f.state_name = v1::ProposalState_Name(r.state());
  return ListOf(call, r, f, &v1::ListProposalsResponse::mutable_proposals);
}

absl::StatusOr<std::set<std::string>> IncentiveService::EligibleCadres(
    CallContext& call, const std::string& region_prefix, const std::string& cadre_id, int year) {
  std::set<std::string> out;
  for (int y : {year - 1, year}) {
    ASSIGN_OR_RETURN(std::vector<StoredRecord> rows,
                     AllRecords(call, *repo_,
                                {.kind = RecordKind::kProposal,
                                 .region_prefix = region_prefix,
                                 .cadre_id = cadre_id,
                                 .year = y,
                                 .kind_name = "PROPOSAL_KIND_ELIGIBILITY",
                                 .state_name = "PROPOSAL_STATE_CONFIRMED"}));
    for (const StoredRecord& s : rows) {
      v1::Proposal p;
      RETURN_IF_ERROR(MergeFromJson(s.json, p));
      out.insert(p.cadre_id());
    }
  }
  return out;
}

}  // namespace touyan::incentive
