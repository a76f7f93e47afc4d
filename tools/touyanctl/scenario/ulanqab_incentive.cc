// The Ulanqab 2023 scenario: supervision and adjustments, the assessment,
// rewards and publicity.
#include "tools/touyanctl/scenario/ulanqab.h"

namespace touyan::ctl::scenario::u23 {

// ----------------------------------------- supervision, exits, adjustments

void Ulanqab::SupervisionAndAdjustments() {
  std::set<size_t> good(good_.begin(), good_.end());
  // The weakest village secretaries in their preliminaries.
  std::vector<std::pair<double, size_t>> weakest;
  for (size_t v = 0; v < villages_; ++v) {
    if (orgs_[v].kind != pv1::PARTY_ORG_KIND_VILLAGE || good.count(v)) continue;
    const auto [rank, n] = prelim_rank_[orgs_[v].secretary_id];
    weakest.push_back({-static_cast<double>(rank) / std::max(1, n), v});
  }
  std::sort(weakest.begin(), weakest.end());
  const int64_t adjusted = want_.adjusted, rectified = Scaled(40);
  const int64_t flagged =
      std::min<int64_t>(adjusted + rectified, static_cast<int64_t>(weakest.size()));
  Progress p("incentive: supervision, exit measures, adjustments", flagged);
  ParallelFor(flagged, o_.threads, &p, [&](int64_t i) {
    const Org& o = orgs_[weakest[i].second];
    const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
    const bool adjust = i < adjusted;
    iv1::RaiseFlagRequest rf;
    rf.set_request_id(Rid("flag", o.secretary_id));
    auto* c = rf.mutable_supervision_case();
    c->set_cadre_id(o.secretary_id);
    c->set_kind(static_cast<iv1::FlagKind>(1 + i % 3));
    c->set_reminder("苏木乡镇党委书记提醒谈话，明确整改要求");
    *c->mutable_raised_on() = D(2023, 5, 10 + static_cast<int>(i % 15));
    *c->mutable_rectify_by() = D(2023, 7, 10 + static_cast<int>(i % 15));
    auto made =
        s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RaiseFlag, rf, county, "RaiseFlag");
    iv1::AddFollowUpRequest fu;
    fu.set_request_id(Rid("follow-up", o.secretary_id));
    fu.set_case_id(made.id());
    *fu.mutable_follow_up()->mutable_on() = D(2023, 7, 28);
    fu.mutable_follow_up()->set_rectified(!adjust);
    fu.mutable_follow_up()->set_note(adjust ? "整改不到位，工作仍无起色" : "已按要求完成整改");
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::AddFollowUp, fu, county, "AddFollowUp");
    iv1::RecordCareRequest care;
    care.set_request_id(Rid("care-talk", o.secretary_id));
    care.mutable_record()->set_cadre_id(o.secretary_id);
    care.mutable_record()->set_kind(iv1::CARE_KIND_TALK);
    *care.mutable_record()->mutable_on() = D(2023, 5, 28);
    care.mutable_record()->set_summary("谈心谈话，了解思想状况和工作困难");
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordCare, care, county, "RecordCare");
    if (!adjust) return;
    // The exit ladder: an admonition talk (诫勉谈话), then, still not
    // rectified, an organisational adjustment (组织调整) carried out once
    // its appeal window has passed: the post ends, and the village's
    // reserve fills it.
    const std::pair<iv1::MeasureKind, google::type::Date> steps[] = {
        {iv1::MEASURE_KIND_ADMONITION, D(2023, 8, 5)},
        {iv1::MEASURE_KIND_ORG_ADJUSTMENT, D(2023, 9, 1 + static_cast<int>(i % 10))}};
    iv1::ExitMeasure decided;
    for (const auto& [kind, on] : steps) {
      iv1::DecideExitMeasureRequest dm;
      dm.set_request_id(
          Rid(kind == iv1::MEASURE_KIND_ADMONITION ? "measure" : "measure-adjust", o.secretary_id));
      auto* m = dm.mutable_measure();
      m->set_cadre_id(o.secretary_id);
      m->set_kind(kind);
      m->set_grounds(kind == iv1::MEASURE_KIND_ADMONITION ? "督促整改期满仍未整改到位"
                                                          : "诫勉谈话后仍未整改到位，履职不力");
      *m->mutable_decided_on() = on;
      m->set_deciding_body("旗县委组织部");
      m->set_cadre_statement("本人已知悉，将认真反思");
      m->set_appeal_window_days(15);
      decided = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::DecideExitMeasure, dm, county,
                        "DecideExitMeasure");
    }
    const google::type::Date ends = D(2023, 9, 20 + static_cast<int>(i % 10));
    iv1::EnforceExitMeasureRequest em;
    em.set_request_id(Rid("enforce", o.secretary_id));
    em.set_id(decided.id());
    *em.mutable_effective_on() = ends;
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::EnforceExitMeasure, em, county,
            "EnforceExitMeasure");
    FillFromReserve(o, ends, "adjusted", kPersonBase + 800000 + i);
  });
  p.Done();
  // Counselling and hardship aid for a few; wellbeing check-ins.
  Progress w("incentive: care and wellbeing check-ins", static_cast<int64_t>(villages_));
  ParallelFor(static_cast<int64_t>(villages_), o_.threads, &w, [&](int64_t v) {
    const Org& o = orgs_[v];
    if (Pick(o.region + "checkin", 5, o_.seed) != 0) return;
    const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
    iv1::CheckInRequest ci;
    ci.set_request_id(Rid("check-in", o.region));
    auto* c = ci.mutable_check_in();
    c->set_cadre_id(o.secretary_id);
    *c->mutable_on() = D(2023, 10, 20);
    const bool low = Pick(o.region + "low", 6, o_.seed) == 0;
    c->set_mind(low ? 2 : 4);
    c->set_body(4);
    c->set_work(low ? 2 : 5);
    c->set_life(4);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CheckIn, ci, county, "CheckIn");
    if (!low) return;
    iv1::RecordCareRequest care;
    care.set_request_id(Rid("care", o.region));
    care.mutable_record()->set_cadre_id(o.secretary_id);
    const bool aid = v % 2 == 0;
    care.mutable_record()->set_kind(aid ? iv1::CARE_KIND_HARDSHIP_AID : iv1::CARE_KIND_COUNSELLING);
    *care.mutable_record()->mutable_on() = D(2023, 10, 28);
    care.mutable_record()->set_summary(aid ? "家庭困难帮扶" : "心理疏导");
    if (aid) care.mutable_record()->set_aid_fen(300000);
    if (!aid) care.mutable_record()->set_notes("工作压力大，约定每月回访");
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordCare, care, county, "RecordCare");
  });
  w.Done();
}

// -------------------------------------------------------------- assessment

void Ulanqab::Assessment() {
  for (const auto& county : counties_) {
    SetScheme(s_, county.substr(0, 6), kYear, *city_, Rid("scheme", county));
  }
  // The current secretaries, read from personnel (successors included).
  std::vector<pv1::Secretary> current;
  pv1::ListSecretariesRequest ls;
  ls.set_region_code(kCity);
  for (const auto& x :
       s_.All(s_.personnel(), &pv1::PersonnelService::Stub::ListSecretaries, ls,
              &pv1::ListSecretariesResponse::secretaries, *city_, "ListSecretaries")) {
    if (std::count(counties_.begin(), counties_.end(), x.county_code() + "000000"))
      current.push_back(x);
  }
  Progress p("incentive: daily management, annual review (stars: the contest's)",
             static_cast<int64_t>(current.size()));
  ParallelFor(static_cast<int64_t>(current.size()), o_.threads, &p, [&](int64_t i) {
    const auto& x = current[i];
    const std::string& county = s_.Token(auth::Role::kCountyOperator, x.county_code() + "000000");
    const double q = Quality(x.cadre_id());
    const std::tuple<iv1::InputKind, double, const char*> inputs[] = {
        {iv1::INPUT_KIND_DAILY_MANAGEMENT, std::min(100.0, q + 15), "日常管理考勤与工作纪实"},
        {iv1::INPUT_KIND_ANNUAL_REVIEW, std::min(100.0, q + 12), "年度考核"}};
    int k = 0;
    for (const auto& [kind, value, note] : inputs) {
      iv1::RecordInputRequest ri;
      ri.set_request_id(Rid("input", absl::StrCat(x.cadre_id(), "-", k++)));
      auto* in = ri.mutable_input();
      in->set_cadre_id(x.cadre_id());
      in->set_year(kYear);
      in->set_kind(kind);
      in->set_value(std::round(value * 10) / 10);
      *in->mutable_recorded_on() = D(2023, 12, 5);
      in->set_note(note);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordInput, ri, county, "RecordInput");
    }
  });
  p.Done();
  // Democratic evaluation (民主评议) of each village's secretary by secret ballot.
  std::vector<const pv1::Secretary*> village_secs;
  for (const auto& x : current) {
    if (x.party_org_kind() == pv1::PARTY_ORG_KIND_VILLAGE ||
        x.party_org_kind() == pv1::PARTY_ORG_KIND_COMMUNITY) {
      village_secs.push_back(&x);
    }
  }
  Progress d("incentive: democratic evaluations (secret ballots)",
             static_cast<int64_t>(village_secs.size()));
  ParallelFor(static_cast<int64_t>(village_secs.size()), o_.threads, &d, [&](int64_t i) {
    const auto& x = *village_secs[i];
    const std::string& county = s_.Token(auth::Role::kCountyOperator, x.county_code() + "000000");
    iv1::OpenEvaluationRequest oe;
    oe.set_request_id(Rid("evaluation-open", x.party_org_id()));
    auto* e = oe.mutable_evaluation();
    e->set_village_code(x.region_code());
    e->set_year(kYear);
    *e->mutable_meeting_date() = D(2023, 12, 10);
    e->add_cadre_ids(x.cadre_id());
    e->set_electorate(15);
    auto ev = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::OpenEvaluation, oe, county,
                      "OpenEvaluation");
    if (ev.closed()) return;  // a rerun: counted already
    iv1::IssueVoterCodesRequest ic;
    ic.set_evaluation_id(ev.id());
    ic.set_count(15 - ev.codes_issued());
    std::vector<std::string> codes;
    if (ic.count() > 0) {
      auto got = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::IssueVoterCodes, ic, county,
                         "IssueVoterCodes");
      codes.assign(got.codes().begin(), got.codes().end());
    }
    const double q = Quality(x.cadre_id());
    for (size_t k = 0; k < codes.size() && k < 13; ++k) {
      iv1::CastBallotRequest cb;
      cb.set_evaluation_id(ev.id());
      cb.set_voter_code(codes[k]);
      auto* c = cb.add_choices();
      c->set_cadre_id(x.cadre_id());
      const uint64_t r = Pick(absl::StrCat(x.cadre_id(), "/ballot/", k), 100, o_.seed);
      c->set_choice(r < q - 10   ? iv1::CHOICE_SATISFIED
                    : r < q + 15 ? iv1::CHOICE_BASICALLY_SATISFIED
                                 : iv1::CHOICE_DISSATISFIED);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CastBallot, cb, "" + county,
              "CastBallot");
    }
    iv1::CloseEvaluationRequest ce;
    ce.set_request_id(Rid("evaluation-close", x.party_org_id()));
    ce.set_id(ev.id());
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CloseEvaluation, ce, county,
            "CloseEvaluation");
  });
  d.Done();
  Progress a("incentive: differentiated assessment (差异化考核)",
             static_cast<int64_t>(counties_.size()));
  ParallelFor(static_cast<int64_t>(counties_.size()), 2, &a, [&](int64_t ci) {
    iv1::ComputeAssessmentsRequest ca;
    ca.set_request_id(Rid("assess", counties_[ci]));
    ca.set_county_code(counties_[ci].substr(0, 6));
    ca.set_year(kYear);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ComputeAssessments, ca,
            s_.Token(auth::Role::kCountyOperator, counties_[ci]), "ComputeAssessments");
  });
  a.Done();
}

// ------------------------------------------------------------ consequences

void Ulanqab::Consequences() {
  // Touyan's default policy (the source names none): incompetent, or a
  // democratic score below 60, proposes the next exit step; excellent makes
  // a secretary eligible. Each county proposes; its organisation department
  // decides each proposal at the year-end meeting, rejecting some after
  // checking the circumstances.
  std::vector<iv1::Proposal> pending;
  std::mutex mu;
  Progress p("incentive: proposals from the grades", static_cast<int64_t>(counties_.size()));
  ParallelFor(static_cast<int64_t>(counties_.size()), 2, &p, [&](int64_t ci) {
    const std::string& county = s_.Token(auth::Role::kCountyOperator, counties_[ci]);
    iv1::ProposeConsequencesRequest pc;
    pc.set_request_id(Rid("propose", counties_[ci]));
    pc.set_county_code(counties_[ci].substr(0, 6));
    pc.set_year(kYear);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ProposeConsequences, pc, county,
            "ProposeConsequences");
    iv1::ListProposalsRequest lp;
    lp.set_region_code(counties_[ci]);
    lp.set_year(kYear);
    lp.set_state(iv1::PROPOSAL_STATE_PENDING);
    auto got = s_.All(s_.incentive(), &iv1::IncentiveService::Stub::ListProposals, lp,
                      &iv1::ListProposalsResponse::proposals, county, "ListProposals");
    std::lock_guard<std::mutex> lock(mu);
    pending.insert(pending.end(), got.begin(), got.end());
  });
  p.Done();
  Progress d("incentive: decisions on the proposals", static_cast<int64_t>(pending.size()));
  ParallelFor(static_cast<int64_t>(pending.size()), o_.threads, &d, [&](int64_t i) {
    const iv1::Proposal& x = pending[i];
    const bool exit = x.kind() == iv1::PROPOSAL_KIND_EXIT_STEP;
    const bool confirm = !exit || Pick(x.cadre_id() + "/decision", 10, o_.seed) != 0;
    iv1::DecideProposalRequest dp;
    dp.set_request_id(Rid("decide", x.id()));
    dp.set_id(x.id());
    dp.set_confirm(confirm);
    dp.set_reason(!confirm ? "经核实，系客观原因所致，暂不处理"
                  : exit   ? "年度考核结果较差，按程序诫勉谈话并督促整改"
                           : "年度考核优秀，纳入好支书推荐和晋升渠道人选");
    *dp.mutable_decided_on() = D(2023, 12, 28);
    if (exit && confirm) {
      dp.set_deciding_body("旗县委组织部");
      *dp.mutable_rectify_by() = D(2024, 3, 31);
    }
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::DecideProposal, dp,
            s_.Token(auth::Role::kCountyOperator, x.county_code() + "000000"), "DecideProposal");
  });
  d.Done();
}

// ------------------------------------------- awards, promotions, publicity

void Ulanqab::Rewards() {
  Progress p("incentive: care awards, interviews", static_cast<int64_t>(good_.size()) + 1);
  iv1::SetBudgetRequest sb;
  sb.set_request_id(Rid("budget", kYear));
  sb.mutable_budget()->set_region_code(kCity);
  sb.mutable_budget()->set_year(kYear);
  sb.mutable_budget()->set_programme(iv1::PROGRAMME_CARE);
  sb.mutable_budget()->set_amount_fen(want_.good_secretaries * want_.award_fen);
  sb.mutable_budget()->set_award_fen(want_.award_fen);
  s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::SetBudget, sb, *city_, "SetBudget");
  iv1::PayCareAwardsRequest pay;
  pay.set_request_id(Rid("pay", kYear));
  pay.set_region_code(kCity);
  pay.set_year(kYear);
  s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::PayCareAwards, pay, *city_,
          "PayCareAwards");
  p.Add();
  ParallelFor(static_cast<int64_t>(good_.size()), o_.threads, &p, [&](int64_t i) {
    const Org& o = orgs_[good_[i]];
    const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
    iv1::ArrangeInterviewRequest ai;
    ai.set_request_id(Rid("interview", o.secretary_id));
    auto* in = ai.mutable_interview();
    in->set_cadre_id(o.secretary_id);
    in->set_basis(iv1::BASIS_GOOD_SECRETARY);
    in->set_outlet(i % 2 ? "乌兰察布日报" : "乌兰察布广播电视台");
    in->set_topic("乡村振兴担当作为好支书专访");
    *in->mutable_on() = D(2023, 12, 20);
    in->set_year(kYear);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ArrangeInterview, ai, county,
            "ArrangeInterview");
  });
  p.Done();
}

void Ulanqab::Promotions() {
  // The city's conditions for 2023 (the scenario's, not the source's, which
  // names none): Touyan's defaults but for age — the generated secretaries
  // are all in their late forties — at most 50 on every channel.
  iv1::SetPromotionPolicyRequest sp;
  sp.set_request_id(Rid("promotion-policy", kYear));
  sp.mutable_policy()->set_region_code(kCity);
  sp.mutable_policy()->set_year(kYear);
  for (auto ch : {iv1::CHANNEL_TOWNSHIP_DEPUTY, iv1::CHANNEL_CIVIL_SERVICE,
                  iv1::CHANNEL_PUBLIC_INSTITUTION}) {
    auto* rule = sp.mutable_policy()->add_rules();
    rule->set_channel(ch);
    rule->set_min_years_in_post(2);
    rule->set_min_grade(iv1::GRADE_COMPETENT);
    rule->set_max_age(50);
  }
  s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::SetPromotionPolicy, sp, *city_,
          "SetPromotionPolicy");
  // Each channel's candidates as the city ranks them (good secretaries on an
  // establishment first, then by score), the best not yet taken.
  struct Move {
    iv1::PromotionCandidate who;
    iv1::Channel channel;
  };
  std::vector<Move> moves;
  std::set<std::string> taken;
  const std::pair<iv1::Channel, int64_t> wanted[] = {
      {iv1::CHANNEL_TOWNSHIP_DEPUTY, want_.deputies},
      {iv1::CHANNEL_CIVIL_SERVICE, want_.civil_servants},
      {iv1::CHANNEL_PUBLIC_INSTITUTION, want_.institution_staff}};
  for (const auto& [channel, n] : wanted) {
    iv1::ListPromotionCandidatesRequest lc;
    lc.set_region_code(kCity);
    lc.set_year(kYear);
    lc.set_channel(channel);
    *lc.mutable_effective_on() = D(2023, 12, 1);
    lc.set_page_size(static_cast<int>(std::min<int64_t>(1000, n + taken.size())));
    auto found = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ListPromotionCandidates, lc,
                         *city_, "ListPromotionCandidates");
    int64_t got = 0;
    for (const auto& c : found.candidates()) {
      if (got < n && taken.insert(c.cadre_id()).second) {
        moves.push_back({c, channel});
        ++got;
      }
    }
    if (got < n) {
      throw Failure(
          absl::StrCat("only ", got, " of ", n, " candidates for ", iv1::Channel_Name(channel)));
    }
  }
  std::map<std::string, const Org*> org_of;
  for (const Org& o : orgs_) org_of[o.id] = &o;
  Progress p("incentive → personnel: promotions (雨露计划), successors from the reserve",
             static_cast<int64_t>(moves.size()));
  ParallelFor(static_cast<int64_t>(moves.size()), o_.threads, &p, [&](int64_t i) {
    const Move& m = moves[i];
    const Org& o = *org_of.at(m.who.party_org_id());
    const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
    iv1::RecordPromotionRequest rp;
    rp.set_request_id(Rid("promotion", m.who.cadre_id()));
    auto* pr = rp.mutable_promotion();
    pr->set_cadre_id(m.who.cadre_id());
    pr->set_year(kYear);
    pr->set_channel(m.channel);
    pr->set_post(absl::StrCat(names_[o.township],
                              m.channel == iv1::CHANNEL_TOWNSHIP_DEPUTY ? "副镇长（副苏木达）"
                              : m.channel == iv1::CHANNEL_CIVIL_SERVICE ? "公务员"
                                                                        : "事业编制人员"));
    *pr->mutable_effective_on() = D(2023, 12, 1);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordPromotion, rp, county,
            "RecordPromotion");
    FillFromReserve(o, D(2023, 12, 1), "promoted", kPersonBase + 700000 + i);
  });
  p.Done();
}

void Ulanqab::FillFromReserve(const Org& o, const google::type::Date& on, const std::string& tag,
                              int64_t person) {
  const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
  pv1::ListSeedsRequest ls;
  ls.set_region_code(o.region);
  ls.set_stage(pv1::SEED_STAGE_APPROVED);
  auto seeds =
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ListSeeds, ls, county, "ListSeeds");
  pv1::AppointRequest ap;
  ap.set_request_id(Rid("successor-" + tag, o.id));
  if (!seeds.seeds().empty()) {
    ap.set_seed_id(seeds.seeds(0).id());
  } else {  // no seed: a returnee of the village (回引)
    pv1::ListReturneesRequest lr;
    lr.set_region_code(o.region);
    lr.set_status(pv1::RETURNEE_STATUS_CANDIDATE);
    auto back = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ListReturnees, lr, county,
                        "ListReturnees");
    if (back.returnees().empty()) throw Failure("neither a seed nor a returnee in " + o.region);
    ap.set_returnee_id(back.returnees(0).id());
  }
  ap.set_party_org_id(o.id);
  ap.set_kind(pv1::POSITION_KIND_DUAL_ROLE);
  *ap.mutable_term_start() = on;
  s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::Appoint, ap, county, "Appoint");
  // The reserve refilled: 村推 → 镇选 → 县考 of a new seed.
  std::mt19937_64 rng(o_.seed + static_cast<uint64_t>(person));
  ApproveSeed(o, GenerateCadre(rng, person, o.region), "致富带头人，村务监督委员会成员",
              absl::StrCat("refill-", tag, "-", o.id));
}

}  // namespace touyan::ctl::scenario::u23
