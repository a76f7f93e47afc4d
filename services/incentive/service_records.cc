#include "services/incentive/service_util.h"

// Supervision cases, the exit ladder.
namespace touyan::incentive {

// ------------------------------------------------------------- supervision

TOUYAN_UNARY(IncentiveService, RaiseFlag, v1::RaiseFlagRequest, v1::SupervisionCase)
TOUYAN_UNARY(IncentiveService, AddFollowUp, v1::AddFollowUpRequest, v1::SupervisionCase)
TOUYAN_UNARY(IncentiveService, ListCases, v1::ListCasesRequest, v1::ListCasesResponse)

namespace {
void MarkOverdue(v1::SupervisionCase& c, absl::CivilDay today) {
  std::optional<absl::CivilDay> due = DayOf(c.rectify_by());
  c.set_overdue(!c.rectified() && due && *due < today);
}
}  // namespace

absl::StatusOr<v1::SupervisionCase> IncentiveService::DoRaiseFlag(CallContext& call,
                                                                  const v1::RaiseFlagRequest& r) {
  v1::SupervisionCase c = r.supervision_case();
  RETURN_IF_ERROR(NestField(ValidateCase(c, Today(call)), "supervision_case."));
  c.clear_id();
  c.clear_county_code();
  c.clear_rectified();
  c.clear_overdue();
  ASSIGN_OR_RETURN(
      v1::SupervisionCase out,
      AddCadreRecord(call, r, r.request_id(), RecordKind::kCase, c, "supervision_case.",
                     {.year = static_cast<int>(DayOf(c.raised_on())->year()),
                      .on = DayOf(c.raised_on()),
                      .due = DayOf(c.rectify_by()),
                      .open = true}));
  MarkOverdue(out, Today(call));
  return out;
}

absl::StatusOr<v1::SupervisionCase> IncentiveService::DoAddFollowUp(
    CallContext& call, const v1::AddFollowUpRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateFollowUp(r.follow_up(), Today(call)), "follow_up."));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "case_id", r.case_id(), true));
  const std::string by = call.principal().subject;
  v1::SupervisionCase out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kCase, id, "case_id",
      [&](db::Tx&, google::protobuf::Message& m, RecordMeta& meta) -> absl::Status {
        auto& c = static_cast<v1::SupervisionCase&>(m);
        if (c.rectified())
          return Failed("CASE_CLOSED", "case " + id.ToString() + " is rectified already",
                        "case_id");
        v1::FollowUp* f = c.add_follow_ups();
        *f = r.follow_up();
        f->set_by(by);
        if (f->rectified()) {
          c.set_rectified(true);
          meta.open = false;
        }
        return absl::OkStatus();
      },
      out));
  MarkOverdue(out, Today(call));
  return out;
}

TOUYAN_UNARY(IncentiveService, GetCase, v1::GetCaseRequest, v1::SupervisionCase)
TOUYAN_UNARY(IncentiveService, GetExitMeasure, v1::GetExitMeasureRequest, v1::ExitMeasure)

absl::StatusOr<v1::SupervisionCase> IncentiveService::DoGetCase(CallContext& call,
                                                                const v1::GetCaseRequest& r) {
  ASSIGN_OR_RETURN(v1::SupervisionCase c,
                   RecordOf<v1::SupervisionCase>(call, RecordKind::kCase, r.id()));
  MarkOverdue(c, Today(call));  // as ListCases shows it
  return c;
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoGetExitMeasure(
    CallContext& call, const v1::GetExitMeasureRequest& r) {
  return RecordOf<v1::ExitMeasure>(call, RecordKind::kMeasure, r.id());
}

absl::StatusOr<v1::ListCasesResponse> IncentiveService::DoListCases(CallContext& call,
                                                                    const v1::ListCasesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  const absl::CivilDay today = Today(call);
  RecordFilter f{.kind = RecordKind::kCase, .region_prefix = prefix, .cadre_id = r.cadre_id()};
  if (r.overdue_only()) {
    f.open_only = true;
    f.due_before = today;
  }
  return ListOf<v1::SupervisionCase>(
      call, r, f, &v1::ListCasesResponse::mutable_cases,
      [today](v1::SupervisionCase& c, const StoredRecord&) { MarkOverdue(c, today); });
}

// ------------------------------------------------------------------- exits

TOUYAN_UNARY(IncentiveService, DecideExitMeasure, v1::DecideExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, AppealExitMeasure, v1::AppealExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, DecideExitAppeal, v1::DecideExitAppealRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, EnforceExitMeasure, v1::EnforceExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, ListExitMeasures, v1::ListExitMeasuresRequest,
             v1::ListExitMeasuresResponse)

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoDecideExitMeasure(
    CallContext& call, const v1::DecideExitMeasureRequest& r) {
  v1::ExitMeasure m = r.measure();
  RETURN_IF_ERROR(NestField(ValidateMeasure(m, Today(call)), "measure."));
  for (int f : {1, 10, 11, 12, 13, 14, 16}) {  // output only
    m.GetReflection()->ClearField(&m, m.GetDescriptor()->FindFieldByNumber(f));
  }
  m.set_state(v1::MEASURE_STATE_DECIDED);
  m.set_removes(Removes(m.kind()));
  if (m.removes()) {  // the post it will end: the cadre's current secretary post
    ASSIGN_OR_RETURN(pv1::Position post,
                     personnel_.SecretaryPost(call, m.cadre_id(), "measure.cadre_id"));
    m.set_position_id(post.id());
  }
  const v1::MeasureKind kind = m.kind();
  const std::string cadre = m.cadre_id(), skip = m.skip_reason();
  return AddCadreRecord(
      call, r, r.request_id(), RecordKind::kMeasure, m, "measure.",
      {.year = static_cast<int>(DayOf(m.decided_on())->year()), .on = DayOf(m.decided_on())},
      [&](db::Tx& tx) -> absl::Status {
        // An assessment's proposal for this cadre is decided first (a
        // measure decided beside it would act on it without its decision).
        if (std::string pending = repo_->PendingExitProposal(tx, cadre); !pending.empty()) {
          return Failed("PROPOSAL_PENDING",
                        "exit-step proposal " + pending +
                            " of this cadre awaits a decision: confirm or reject it "
                            "(DecideProposal)",
                        "measure.cadre_id");
        }
        return CheckLadder(kind, repo_->MeasuresOf(tx, cadre), skip);
      });
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoAppealExitMeasure(
    CallContext& call, const v1::AppealExitMeasureRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("appeal", r.appeal(), 2000));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  const absl::CivilDay today = Today(call);
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kMeasure, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& m = static_cast<v1::ExitMeasure&>(msg);
        if (m.state() != v1::MEASURE_STATE_DECIDED) {
          return Failed("WRONG_STATE",
                        "measure " + id.ToString() + " is " + v1::MeasureState_Name(m.state()),
                        "id");
        }
        const absl::CivilDay last = *DayOf(m.decided_on()) + m.appeal_window_days();
        if (today > last) {
          return Failed("APPEAL_WINDOW_CLOSED",
                        absl::StrCat("the appeal window of measure ", id.ToString(), " ended on ",
                                     IsoDate(last)),
                        "id");
        }
        m.set_state(v1::MEASURE_STATE_APPEALED);
        m.set_appeal(r.appeal());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoDecideExitAppeal(
    CallContext& call, const v1::DecideExitAppealRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("decision", r.decision(), 2000));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kMeasure, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& m = static_cast<v1::ExitMeasure&>(msg);
        if (m.state() != v1::MEASURE_STATE_APPEALED) {
          return Failed("WRONG_STATE", "measure " + id.ToString() + " has no pending appeal", "id");
        }
        m.set_state(r.granted() ? v1::MEASURE_STATE_REVOKED : v1::MEASURE_STATE_UPHELD);
        m.set_appeal_decision(r.decision());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoEnforceExitMeasure(
    CallContext& call, const v1::EnforceExitMeasureRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  absl::CivilDay today = Today(call);  // the day the post ends
  if (IsSet(r.effective_on())) {
    ASSIGN_OR_RETURN(absl::CivilDay on, ToCivilDay("effective_on", r.effective_on()));
    if (on > today) return InvalidField("effective_on", "must not be in the future", "IN_FUTURE");
    today = on;
  }
  v1::ExitMeasure m;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kMeasure, id, "id", m));
  if (DayOf(m.decided_on()) && today < *DayOf(m.decided_on())) {
    return InvalidField("effective_on",
                        "must not be before the decision of " + IsoDate(*DayOf(m.decided_on())),
                        "BEFORE_DECISION");
  }
  // Whether the measure may be carried out now (an ENFORCED one is left to
  // the idempotent write below: a retry replays, anything else is refused).
  auto enforceable = [&](const v1::ExitMeasure& x) -> absl::Status {
    if (!x.removes()) {
      return Failed("NOT_REMOVING",
                    v1::MeasureKind_Name(x.kind()) + " does not remove the cadre from the post",
                    "id");
    }
    if (x.state() == v1::MEASURE_STATE_UPHELD) return absl::OkStatus();
    if (x.state() != v1::MEASURE_STATE_DECIDED) {
      return Failed(x.state() == v1::MEASURE_STATE_ENFORCED ? "ALREADY_ENFORCED" : "WRONG_STATE",
                    "measure " + id.ToString() + " is " + v1::MeasureState_Name(x.state()), "id");
    }
    const absl::CivilDay last = *DayOf(x.decided_on()) + x.appeal_window_days();
    if (today <= last && x.appeal_window_days() > 0) {
      return Failed(
          "APPEAL_WINDOW_OPEN",
          absl::StrCat("the cadre may appeal measure ", id.ToString(), " until ", IsoDate(last)),
          "id");
    }
    return absl::OkStatus();
  };
  if (m.state() != v1::MEASURE_STATE_ENFORCED) {
    RETURN_IF_ERROR(enforceable(m));
    pv1::EndPositionRequest end;
    end.set_request_id("exit-measure-" + id.ToString());  // the same for every attempt
    end.set_id(m.position_id());
    *end.mutable_ended_on() = ToDate(today);
    end.set_reason(pv1::POSITION_END_REASON_EXIT_MEASURE);
    end.set_note(absl::StrCat(v1::MeasureKind_Name(m.kind()), " ", id.ToString(), ": ", m.grounds())
                     .substr(0, 400));
    RETURN_IF_ERROR(personnel_.EndPosition(call, end, "id").status());
  }
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kMeasure, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& x = static_cast<v1::ExitMeasure&>(msg);
        RETURN_IF_ERROR(enforceable(x));
        x.set_state(v1::MEASURE_STATE_ENFORCED);
        *x.mutable_enforced_on() = ToDate(today);
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ListExitMeasuresResponse> IncentiveService::DoListExitMeasures(
    CallContext& call, const v1::ListExitMeasuresRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  return ListOf(call, r,
                {.kind = RecordKind::kMeasure, .region_prefix = prefix, .cadre_id = r.cadre_id()},
                &v1::ListExitMeasuresResponse::mutable_measures);
}

}  // namespace touyan::incentive
