#include "services/incentive/domain/promotion.h"
#include "services/incentive/service_util.h"

// The promotion channels (雨露计划): their policy, the candidates, the
// promotions that take secretaries out of their villages, the report.
namespace touyan::incentive {
namespace {

bool VillageLevel(pv1::PartyOrgKind k) {
  return k == pv1::PARTY_ORG_KIND_VILLAGE || k == pv1::PARTY_ORG_KIND_COMMUNITY;
}

bool OnEstablishment(pv1::EstablishmentStatus s) {
  return s == pv1::ESTABLISHMENT_STATUS_AGENCY || s == pv1::ESTABLISHMENT_STATUS_ENTERPRISE;
}

std::optional<v1::Grade> GradeOf(const std::map<std::string, v1::Assessment>& last,
                                 const std::string& cadre) {
  auto it = last.find(cadre);
  if (it == last.end()) return std::nullopt;
  return it->second.grade();
}

}  // namespace

TOUYAN_UNARY(IncentiveService, SetPromotionPolicy, v1::SetPromotionPolicyRequest,
             v1::PromotionPolicy)
TOUYAN_UNARY(IncentiveService, GetPromotionPolicy, v1::GetPromotionPolicyRequest,
             v1::PromotionPolicy)
TOUYAN_UNARY(IncentiveService, ListPromotionCandidates, v1::ListPromotionCandidatesRequest,
             v1::ListPromotionCandidatesResponse)
TOUYAN_UNARY(IncentiveService, RecordPromotion, v1::RecordPromotionRequest, v1::Promotion)
TOUYAN_UNARY(IncentiveService, CorrectPromotion, v1::CorrectPromotionRequest, v1::Promotion)
TOUYAN_UNARY(IncentiveService, GetPromotion, v1::GetPromotionRequest, v1::Promotion)
TOUYAN_UNARY(IncentiveService, ListPromotions, v1::ListPromotionsRequest,
             v1::ListPromotionsResponse)
TOUYAN_UNARY(IncentiveService, PromotionReport, v1::PromotionReportRequest,
             v1::PromotionReportResponse)

absl::StatusOr<v1::PromotionPolicy> IncentiveService::DoSetPromotionPolicy(
    CallContext& call, const v1::SetPromotionPolicyRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidatePolicy(r.policy(), Today(call)), "policy."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(r.policy().region_code()), "policy.region_code"));
  v1::PromotionPolicy p;
  *p.mutable_rules() = r.policy().rules();
  RETURN_IF_ERROR(repo_->SetPolicy(call, r, r.request_id(), PolicyKind::kPromotion,
                                   r.policy().region_code(), r.policy().year(), p));
  return p;
}

absl::StatusOr<v1::PromotionPolicy> IncentiveService::DoGetPromotionPolicy(
    CallContext& call, const v1::GetPromotionPolicyRequest& r) {
  RETURN_IF_ERROR(CheckCityYear(r.region_code(), r.year(), Today(call)));
  return PolicyOf<v1::PromotionPolicy>(call, PolicyKind::kPromotion, r.region_code(), r.year());
}

absl::StatusOr<v1::ListPromotionCandidatesResponse> IncentiveService::DoListPromotionCandidates(
    CallContext& call, const v1::ListPromotionCandidatesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  if (r.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(r.channel())) {
    return InvalidField("channel", "is required", "REQUIRED");
  }
  if (r.page_size() < 0 || r.page_size() > 1000) {
    return InvalidField("page_size", "must be from 0 (50) to 1000", "OUT_OF_RANGE");
  }
  absl::CivilDay on(r.year(), 12, 1);
  if (IsSet(r.effective_on())) {
    ASSIGN_OR_RETURN(on, ToCivilDay("effective_on", r.effective_on()));
  }
  const std::string region = prefix + std::string(12 - prefix.size(), '0');
  ASSIGN_OR_RETURN(v1::PromotionPolicy policy,
                   PolicyOf<v1::PromotionPolicy>(call, PolicyKind::kPromotion,
                                                 region.substr(0, 4) + "00000000", r.year()));
  const v1::ChannelRule rule = RuleOf(policy, r.channel());

  ASSIGN_OR_RETURN(std::vector<pv1::Secretary> all,
                   personnel_.Secretaries(call, region, pv1::PARTY_ORG_KIND_UNSPECIFIED));
  std::vector<pv1::Secretary> village;
  std::vector<std::string> ids;
  for (pv1::Secretary& s : all) {
    if (!VillageLevel(s.party_org_kind())) continue;
    ids.push_back(s.cadre_id());
    village.push_back(std::move(s));
  }
  std::vector<pv1::Cadre> cadres;  // as `village`, 1,000 a call
  for (size_t from = 0; from < ids.size(); from += 1000) {
    google::protobuf::RepeatedPtrField<std::string> batch(
        ids.begin() + from, ids.begin() + std::min(ids.size(), from + 1000));
    ASSIGN_OR_RETURN(std::vector<pv1::Cadre> got, personnel_.GetCadres(call, batch, "region_code"));
    cadres.insert(cadres.end(), got.begin(), got.end());
  }
  ASSIGN_OR_RETURN(auto last, repo_->LastAssessments(call, ids, r.year()));
  ASSIGN_OR_RETURN(std::vector<pv1::Nomination> good,
                   personnel_.GoodSecretaries(call, region, r.year()));
  std::set<std::string> priority;  // 优先提拔使用: good secretaries on an establishment
  for (const pv1::Nomination& n : good) {
    if (OnEstablishment(n.establishment())) priority.insert(n.cadre_id());
  }
  ASSIGN_OR_RETURN(std::set<std::string> eligible_by_result,
                   EligibleCadres(call, prefix, "", r.year()));

  v1::ListPromotionCandidatesResponse out;
  out.set_policy_version(policy.version());
  std::vector<v1::PromotionCandidate> eligible;
  for (size_t i = 0; i < village.size(); ++i) {
    const pv1::Secretary& s = village[i];
    absl::StatusOr<absl::CivilDay> since = ToCivilDay("", s.term_start());
    absl::StatusOr<absl::CivilDay> born = ToCivilDay("", cadres[i].birth_date());
    if (!since.ok() || !born.ok()) continue;
    const PromotionFacts facts{.years_in_post = FullYears(*since, on),
                               .last_grade = GradeOf(last, s.cadre_id()),
                               .age = FullYears(*born, on),
                               .eligible = eligible_by_result.count(s.cadre_id()) > 0};
    if (!CheckEligible(rule, facts).ok()) continue;
    v1::PromotionCandidate& c = eligible.emplace_back();
    c.set_cadre_id(s.cadre_id());
    c.set_cadre_name(s.cadre_name());
    c.set_party_org_id(s.party_org_id());
    c.set_region_code(s.region_code());
    c.set_priority(priority.count(s.cadre_id()) > 0);
    if (facts.last_grade) {
      c.set_last_grade(*facts.last_grade);
      c.set_last_score(last.at(s.cadre_id()).score());
    }
    c.set_years_in_post(facts.years_in_post);
    c.set_age(facts.age);
    c.set_eligible(facts.eligible);
  }
  std::sort(eligible.begin(), eligible.end(), [](const auto& a, const auto& b) {
    if (a.priority() != b.priority()) return a.priority();
    if (a.eligible() != b.eligible()) return a.eligible();
    if (a.last_score() != b.last_score()) return a.last_score() > b.last_score();
    return a.cadre_id() < b.cadre_id();
  });
  const size_t n = r.page_size() ? static_cast<size_t>(r.page_size()) : 50;
  for (size_t i = 0; i < eligible.size() && i < n; ++i) *out.add_candidates() = eligible[i];
  return out;
}

absl::StatusOr<v1::Promotion> IncentiveService::DoRecordPromotion(
    CallContext& call, const v1::RecordPromotionRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  v1::Promotion p = r.promotion();
  RETURN_IF_ERROR(NestField(ValidatePromotion(p, Today(call)), "promotion."));
  p.clear_id();
  p.clear_county_code();
  p.clear_last_grade();  // the other output fields are always set below
  const absl::CivilDay on = *DayOf(p.effective_on());
  ASSIGN_OR_RETURN(pv1::Cadre cadre, personnel_.GetCadre(call, p.cadre_id(), "promotion.cadre_id"));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(cadre.region_code()), "promotion.cadre_id"));

  // The village post: current, or ended by this very promotion (a retry
  // after the post was ended).
  ASSIGN_OR_RETURN(std::vector<pv1::Position> posts,
                   personnel_.Positions(call, p.cadre_id(), "promotion.cadre_id"));
  const pv1::Position* post = nullptr;
  for (const pv1::Position& x : posts) {
    if (x.kind() != pv1::POSITION_KIND_BRANCH_SECRETARY &&
        x.kind() != pv1::POSITION_KIND_DUAL_ROLE) {
      continue;
    }
    const bool ended_by_this = x.end_reason() == pv1::POSITION_END_REASON_PROMOTION &&
                               DayOf(x.ended_on()) == std::optional<absl::CivilDay>(on);
    if (!IsSet(x.ended_on()) || ended_by_this) {
      ASSIGN_OR_RETURN(pv1::PartyOrg org,
                       personnel_.GetPartyOrg(call, x.party_org_id(), "promotion.cadre_id"));
      if (VillageLevel(org.kind())) post = &x;
    }
  }
  if (post == nullptr) {
    return Failed("NOT_A_SECRETARY",
                  "cadre " + p.cadre_id() + " is not the secretary of a village or community",
                  "promotion.cadre_id");
  }

  // The channel's conditions.
  ASSIGN_OR_RETURN(
      v1::PromotionPolicy policy,
      PolicyOf<v1::PromotionPolicy>(call, PolicyKind::kPromotion,
                                    cadre.county_code().substr(0, 4) + "00000000", p.year()));
  ASSIGN_OR_RETURN(auto last, repo_->LastAssessments(call, {p.cadre_id()}, p.year()));
  ASSIGN_OR_RETURN(absl::CivilDay since, ToCivilDay("promotion.cadre_id", post->term_start()));
  ASSIGN_OR_RETURN(absl::CivilDay born, ToCivilDay("promotion.cadre_id", cadre.birth_date()));
  ASSIGN_OR_RETURN(std::set<std::string> eligible,
                   EligibleCadres(call, cadre.county_code(), p.cadre_id(), p.year()));
  const PromotionFacts facts{.years_in_post = FullYears(since, on),
                             .last_grade = GradeOf(last, p.cadre_id()),
                             .age = FullYears(born, on),
                             .eligible = eligible.count(p.cadre_id()) > 0};
  RETURN_IF_ERROR(
      WithField(CheckEligible(RuleOf(policy, p.channel()), facts), "promotion.channel"));
  p.set_position_id(post->id());
  p.set_party_org_id(post->party_org_id());
  p.set_years_in_post(facts.years_in_post);
  if (facts.last_grade) p.set_last_grade(*facts.last_grade);
  p.set_age(facts.age);
  p.set_policy_version(policy.version());

  // Out of the village: the post ends (the same request id for every
  // attempt, so a retry ends it once), then the promotion is recorded.
  pv1::EndPositionRequest end;
  end.set_request_id("promotion-" + r.request_id());
  end.set_id(post->id());
  *end.mutable_ended_on() = p.effective_on();
  end.set_reason(pv1::POSITION_END_REASON_PROMOTION);
  end.set_note(absl::StrCat(v1::Channel_Name(p.channel()), ": ", p.post()).substr(0, 400));
  RETURN_IF_ERROR(personnel_.EndPosition(call, end, "promotion.cadre_id").status());
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kPromotion, p, "promotion.",
                        {.year = p.year(), .on = on});
}

absl::StatusOr<v1::Promotion> IncentiveService::DoGetPromotion(CallContext& call,
                                                               const v1::GetPromotionRequest& r) {
  return RecordOf<v1::Promotion>(call, RecordKind::kPromotion, r.id());
}

absl::StatusOr<v1::Promotion> IncentiveService::DoCorrectPromotion(
    CallContext& call, const v1::CorrectPromotionRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::Promotion& fix = r.promotion();
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "promotion.id", fix.id(), /*write=*/true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 500));
  bool post = false, channel = false;
  for (const std::string& path : r.update_mask().paths()) {
    if (path == "post") {
      post = true;
    } else if (path == "channel") {
      channel = true;
    } else {
      return InvalidField("update_mask",
                          absl::StrCat("'", path, "' cannot be corrected; only post and channel"),
                          "FIELD_NOT_UPDATABLE");
    }
  }
  if (!post && !channel) {
    return InvalidField("update_mask", "names what to correct: post, channel", "REQUIRED");
  }
  if (post) RETURN_IF_ERROR(ValidateText("promotion.post", fix.post(), 200));
  if (channel) {
    if (fix.channel() == v1::CHANNEL_UNSPECIFIED) {
      return InvalidField("promotion.channel", "is required", "REQUIRED");
    }
    RETURN_IF_ERROR(CheckEnum("promotion.channel", fix.channel(), v1::Channel_IsValid));
  }
  v1::Promotion current;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kPromotion, id, "promotion.id", current));
  const bool new_channel = channel && fix.channel() != current.channel();
  if (new_channel) {  // its conditions, against the facts recorded with the promotion
    ASSIGN_OR_RETURN(
        v1::PromotionPolicy policy,
        PolicyOf<v1::PromotionPolicy>(call, PolicyKind::kPromotion,
                                      id.county_code.substr(0, 4) + "00000000", current.year()));
    ASSIGN_OR_RETURN(std::set<std::string> eligible,
                     EligibleCadres(call, id.county_code, current.cadre_id(), current.year()));
    PromotionFacts facts{.years_in_post = current.years_in_post(),
                         .age = current.age(),
                         .eligible = eligible.count(current.cadre_id()) > 0};
    if (current.last_grade() != v1::GRADE_UNSPECIFIED) facts.last_grade = current.last_grade();
    RETURN_IF_ERROR(
        WithField(CheckEligible(RuleOf(policy, fix.channel()), facts), "promotion.channel"));
  }
  v1::Promotion out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kPromotion, id, "promotion.id",
      [&](db::Tx&, google::protobuf::Message& m, RecordMeta&) -> absl::Status {
        auto& p = static_cast<v1::Promotion&>(m);
        RETURN_IF_ERROR(CheckEtag(fix.etag(), p.etag(), "promotion", p.id(), "promotion.etag"));
        if (new_channel && p.etag() != current.etag()) {  // checked against another version
          return WithReason(absl::AbortedError("the promotion changed while it was checked; retry"),
                            "CONFLICT");
        }
        if (post) p.set_post(fix.post());
        if (channel) p.set_channel(fix.channel());
        p.set_correction_reason(r.reason());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ListPromotionsResponse> IncentiveService::DoListPromotions(
    CallContext& call, const v1::ListPromotionsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r,
                {.kind = RecordKind::kPromotion, .region_prefix = prefix, .year = r.year()},
                &v1::ListPromotionsResponse::mutable_promotions);
}

absl::StatusOr<v1::PromotionReportResponse> IncentiveService::DoPromotionReport(
    CallContext& call, const v1::PromotionReportRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->PromotionReport(call, prefix, r.year());
}

}  // namespace touyan::incentive
