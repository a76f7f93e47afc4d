#include "services/incentive/domain/rules.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids/region.h"
#include "common/ids/resource_id.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"

namespace touyan::incentive {
namespace {

// Points as exact hundredths: 87.5 → 8750.
int64_t Hundredths(double v) { return std::llround(v * 100.0); }
double FromHundredths(int64_t h) { return static_cast<double>(h) / 100.0; }

// a / b rounded half up, for non-negative a and positive b.
int64_t DivRound(int64_t a, int64_t b) { return (2 * a + b) / (2 * b); }

absl::Status CheckRange(absl::string_view field, double v, double lo, double hi) {
  if (!std::isfinite(v) || v < lo || v > hi) {
    return InvalidField(field, absl::StrFormat("must be from %g to %g", lo, hi), "OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

absl::Status CheckCadre(absl::string_view field, const std::string& id) {
  return ResourceId::Parse(field, id).status();
}

absl::Status CheckYearOf(absl::string_view field, int year, absl::CivilDay today) {
  if (year < 2000 || year > today.year() + 1) {
    return InvalidField(field, absl::StrCat("must be a year from 2000 to ", today.year() + 1));
  }
  return absl::OkStatus();
}

// A required date, not after `today` when `past_only`.
absl::StatusOr<absl::CivilDay> CheckDate(absl::string_view field, const google::type::Date& d,
                                         absl::CivilDay today, bool past_only) {
  if (!IsSet(d)) return InvalidField(field, "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay(field, d));
  if (day.year() < 2000 || day.year() > today.year() + 1) {
    return InvalidField(field, absl::StrCat("must lie in 2000 to ", today.year() + 1));
  }
  if (past_only && day > today)
    return InvalidField(field, "must not lie in the future", "IN_FUTURE");
  return day;
}

template <typename E>
absl::Status CheckKind(absl::string_view field, E value, bool (*valid)(int)) {
  if (value == 0 || !valid(value))
    return InvalidField(field, "must be one of the listed values", "REQUIRED");
  return absl::OkStatus();
}

// A component of the breakdown.
struct Part {
  const char* name;
  int weight;
  std::optional<int64_t> value;  // hundredths, 0–10000
  std::string explanation;
};

}  // namespace

// ------------------------------------------------------------- assessment

absl::Status NormalizeScheme(v1::Scheme& s) {
  if (s.county_code().size() != 6 || LevelOf(s.county_code() + "000000") != Level::kCounty) {
    return InvalidField("county_code", "must be a county's 6-digit code", "BAD_REGION_CODE");
  }
  const v1::Weights& w = s.weights();
  const std::pair<const char*, int> weights[] = {{"weights.daily_management", w.daily_management()},
                                                 {"weights.contest", w.contest()},
                                                 {"weights.stars", w.stars()},
                                                 {"weights.annual_review", w.annual_review()},
                                                 {"weights.democratic", w.democratic()}};
  int sum = 0;
  for (const auto& [field, v] : weights) {
    if (v < 0 || v > 100)
      return InvalidField(field, "must be from 0 to 100 (percent)", "OUT_OF_RANGE");
    sum += v;
  }
  if (sum != 100)
    return InvalidField("weights", absl::StrCat("must sum to 100; they sum to ", sum),
                        "BAD_WEIGHTS");
  RETURN_IF_ERROR(CheckRange("excellent_min", s.excellent_min(), 0, 100));
  RETURN_IF_ERROR(CheckRange("competent_min", s.competent_min(), 0, 100));
  RETURN_IF_ERROR(CheckRange("basic_min", s.basic_min(), 0, 100));
  if (!(s.excellent_min() > s.competent_min() && s.competent_min() > s.basic_min())) {
    return InvalidField("excellent_min",
                        "bands must descend: excellent_min > competent_min > basic_min",
                        "BAD_BANDS");
  }
  if (s.training_share() < 0 || s.training_share() > 100) {
    return InvalidField("training_share", "must be from 0 to 100 (percent)", "OUT_OF_RANGE");
  }
  RETURN_IF_ERROR(
      ValidateText("training_theme", s.training_theme(), 100, /*required=*/s.training_share() > 0));
  if (s.quorum_percent() == 0) s.set_quorum_percent(kDefaultQuorumPercent);
  if (s.quorum_percent() < 1 || s.quorum_percent() > 100) {
    return InvalidField("quorum_percent", "must be from 1 to 100", "OUT_OF_RANGE");
  }
  if (s.dissatisfied_fail_percent() == 0) s.set_dissatisfied_fail_percent(kDefaultFailPercent);
  if (s.dissatisfied_fail_percent() < 1 || s.dissatisfied_fail_percent() > 100) {
    return InvalidField("dissatisfied_fail_percent", "must be from 1 to 100 (100: never)",
                        "OUT_OF_RANGE");
  }
  // Bands are compared in hundredths: keep them exact.
  s.set_excellent_min(FromHundredths(Hundredths(s.excellent_min())));
  s.set_competent_min(FromHundredths(Hundredths(s.competent_min())));
  s.set_basic_min(FromHundredths(Hundredths(s.basic_min())));
  return absl::OkStatus();
}

v1::Tally TallyOf(const Votes& votes, int ballots, int electorate, int quorum_percent,
                  int fail_percent) {
  v1::Tally t;
  t.set_satisfied(votes.satisfied);
  t.set_basically_satisfied(votes.basically_satisfied);
  t.set_dissatisfied(votes.dissatisfied);
  const int64_t needed = (static_cast<int64_t>(electorate) * quorum_percent + 99) / 100;
  t.set_quorum_met(ballots > 0 && ballots >= needed);
  if (votes.total() > 0) {
    t.set_score(FromHundredths(
        DivRound(10000LL * votes.satisfied + 6000LL * votes.basically_satisfied, votes.total())));
  }
  t.set_failed(t.quorum_met() && FailsDissatisfied(votes, fail_percent));
  return t;
}

v1::Assessment Assess(const v1::Scheme& scheme, const Inputs& in) {
  const v1::Weights& w = scheme.weights();
  std::vector<Part> parts;

  // Daily management: the mean of the records; training takes its share.
  {
    Part p{"daily_management", w.daily_management(), std::nullopt, ""};
    std::optional<int64_t> mean;
    if (!in.daily.empty()) {
      int64_t sum = 0;
      for (double d : in.daily) sum += Hundredths(d);
      mean = DivRound(sum, static_cast<int64_t>(in.daily.size()));
      p.explanation =
          absl::StrFormat("mean of %d record(s) %.2f", in.daily.size(), FromHundredths(*mean));
    }
    const int share = scheme.training_share();
    if (share > 0 && in.trained.has_value()) {
      const int64_t trained = *in.trained ? 10000 : 0;
      p.value = DivRound(mean.value_or(0) * (100 - share) + trained * share, 100);
      absl::StrAppend(
          &p.explanation, p.explanation.empty() ? "no records" : "",
          absl::StrFormat("; training on \"%s\" %s (%d%% of the part)", scheme.training_theme(),
                          *in.trained ? "completed" : "not completed", share));
    } else {
      p.value = mean;
    }
    parts.push_back(std::move(p));
  }
  {
    Part p{"contest", w.contest(), std::nullopt, "no published contest result this year"};
    if (in.contest && in.contest->entrants > 0) {
      const int64_t n = in.contest->entrants;
      p.value = DivRound(10000 * (n - in.contest->rank + 1), n);
      p.explanation =
          absl::StrFormat("rank %d of %d in %s", in.contest->rank, n, in.contest->round);
    }
    parts.push_back(std::move(p));
  }
  {
    Part p{"stars", w.stars(), std::nullopt, "no published contest result this year"};
    if (in.contest && in.contest->entrants > 0) {  // the contest's bands, nothing else
      p.value = std::clamp<int64_t>(in.contest->stars * 2000, 0, 10000);
      p.explanation = absl::StrFormat("%d star(s) × 20, by the star bands of %s", in.contest->stars,
                                      in.contest->round);
    }
    parts.push_back(std::move(p));
  }
  {
    Part p{"annual_review", w.annual_review(), std::nullopt, "no annual review this year"};
    if (in.annual_review) {
      p.value = Hundredths(*in.annual_review);
      p.explanation = absl::StrFormat("annual review %.2f", *in.annual_review);
    }
    parts.push_back(std::move(p));
  }
  bool failed = false;
  {
    Part p{"democratic", w.democratic(), std::nullopt,
           "no democratic evaluation with quorum this year"};
    if (in.democratic && in.democratic->total() > 0) {
      const Votes& v = *in.democratic;
      p.value = DivRound(10000LL * v.satisfied + 6000LL * v.basically_satisfied, v.total());
      failed = FailsDissatisfied(v, scheme.dissatisfied_fail_percent()
                                        ? scheme.dissatisfied_fail_percent()
                                        : kDefaultFailPercent);
      p.explanation =
          absl::StrFormat("%d satisfied, %d basically satisfied, %d dissatisfied of %d ballots%s",
                          v.satisfied, v.basically_satisfied, v.dissatisfied, v.total(),
                          failed ? ": too many dissatisfied, graded incompetent" : "");
    }
    parts.push_back(std::move(p));
  }

  v1::Assessment out;
  int64_t score = 0;
  for (const Part& p : parts) {
    const int64_t value = p.value.value_or(0);
    const int64_t points = DivRound(value * p.weight, 100);
    score += points;
    v1::Component* c = out.add_components();
    c->set_name(p.name);
    c->set_value(FromHundredths(value));
    c->set_weight(p.weight);
    c->set_points(FromHundredths(points));
    c->set_missing(!p.value.has_value());
    c->set_explanation(p.explanation);
  }
  out.set_score(FromHundredths(score));
  out.set_failed_democratic(failed);
  if (failed) {
    out.set_grade(v1::GRADE_INCOMPETENT);
  } else if (score >= Hundredths(scheme.excellent_min())) {
    out.set_grade(v1::GRADE_EXCELLENT);
  } else if (score >= Hundredths(scheme.competent_min())) {
    out.set_grade(v1::GRADE_COMPETENT);
  } else if (score >= Hundredths(scheme.basic_min())) {
    out.set_grade(v1::GRADE_BASICALLY_COMPETENT);
  } else {
    out.set_grade(v1::GRADE_INCOMPETENT);
  }
  out.set_year(scheme.year());
  return out;
}

// ------------------------------------------------------------------ award

absl::Status ApplyCareRule(bool on_establishment, const std::string& cadre_id,
                           const std::string& party_org_id, v1::Award& award) {
  award.set_programme(v1::PROGRAMME_CARE);
  award.set_amount_fen(kCareAwardFen);
  award.set_priority_promotion(on_establishment);
  award.set_priority_rank(on_establishment);
  award.set_priority_honours(on_establishment);
  if (on_establishment) {
    if (party_org_id.empty()) {
      return WithReason(
          absl::FailedPreconditionError(absl::StrCat("good secretary ", cadre_id,
                                                     " is on an establishment but has no Party "
                                                     "organisation to receive the award")),
          "NO_PARTY_ORG");
    }
    award.set_recipient(v1::RECIPIENT_PARTY_ORG);
    award.set_recipient_id(party_org_id);
  } else {
    award.set_recipient(v1::RECIPIENT_PERSON);
    award.set_recipient_id(cadre_id);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ exits

bool Removes(v1::MeasureKind kind) { return kind != v1::MEASURE_KIND_ADMONITION; }

absl::Status CheckLadder(v1::MeasureKind kind, const std::vector<v1::MeasureKind>& earlier,
                         const std::string& skip_reason) {
  if (kind == v1::MEASURE_KIND_ADMONITION) return absl::OkStatus();
  const auto below = static_cast<v1::MeasureKind>(static_cast<int>(kind) - 1);
  if (std::find(earlier.begin(), earlier.end(), below) != earlier.end()) return absl::OkStatus();
  for (v1::MeasureKind k : earlier) {
    if (k >= kind) return absl::OkStatus();  // taken already, or a higher one: no step skipped
  }
  if (!skip_reason.empty()) return absl::OkStatus();
  return WithField(
      WithReason(absl::FailedPreconditionError(absl::StrCat(
                     v1::MeasureKind_Name(kind), " skips ", v1::MeasureKind_Name(below),
                     ", which the cadre has not had: record why in skip_reason")),
                 "LADDER_STEP_SKIPPED"),
      "measure.skip_reason");
}

bool IsLow(const v1::WellbeingCheckIn& c) {
  return std::min({c.mind(), c.body(), c.work(), c.life()}) <= 2;
}

// ------------------------------------------------------------ validation

absl::Status ValidateInput(const v1::AssessmentInput& in, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", in.cadre_id()));
  RETURN_IF_ERROR(CheckYearOf("year", in.year(), today));
  RETURN_IF_ERROR(CheckKind("kind", in.kind(), v1::InputKind_IsValid));
  if (in.kind() == v1::INPUT_KIND_STAR_RATING) {
    return InvalidField("kind",
                        "stars come from published contest results (the round's star bands), "
                        "not from inputs: publish the contest round instead",
                        "STARS_FROM_CONTEST");
  }
  RETURN_IF_ERROR(CheckRange("value", in.value(), 0, 100));
  RETURN_IF_ERROR(CheckDate("recorded_on", in.recorded_on(), today, true).status());
  return ValidateText("note", in.note(), 500, false);
}

absl::Status ValidateEvaluation(const v1::Evaluation& e, absl::CivilDay today) {
  if (LevelOf(e.village_code()) != Level::kVillage) {
    return InvalidField("village_code", "must be a village's 12-digit code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(CheckYearOf("year", e.year(), today));
  RETURN_IF_ERROR(CheckDate("meeting_date", e.meeting_date(), today, false).status());
  if (e.cadre_ids_size() < 1 || e.cadre_ids_size() > 20) {
    return InvalidField("cadre_ids", "name 1 to 20 cadres", "BAD_COUNT");
  }
  for (int i = 0; i < e.cadre_ids_size(); ++i) {
    const std::string f = absl::StrCat("cadre_ids[", i, "]");
    RETURN_IF_ERROR(CheckCadre(f, e.cadre_ids(i)));
    for (int k = 0; k < i; ++k) {
      if (e.cadre_ids(k) == e.cadre_ids(i)) return InvalidField(f, "is named twice", "DUPLICATE");
    }
  }
  if (e.electorate() < 1 || e.electorate() > 100000) {
    return InvalidField("electorate", "must be from 1 to 100,000", "OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

absl::Status ValidateBallot(const v1::CastBallotRequest& b) {
  RETURN_IF_ERROR(ResourceId::Parse("evaluation_id", b.evaluation_id()).status());
  if (b.voter_code().empty() || b.voter_code().size() > 64) {
    return InvalidField("voter_code", "is required (the code handed to the voter)", "REQUIRED");
  }
  for (int i = 0; i < b.choices_size(); ++i) {
    const std::string f = absl::StrCat("choices[", i, "].");
    RETURN_IF_ERROR(CheckCadre(f + "cadre_id", b.choices(i).cadre_id()));
    RETURN_IF_ERROR(CheckKind(f + "choice", b.choices(i).choice(), v1::Choice_IsValid));
  }
  return absl::OkStatus();
}

absl::Status ValidateCase(const v1::SupervisionCase& c, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", c.cadre_id()));
  RETURN_IF_ERROR(CheckKind("kind", c.kind(), v1::FlagKind_IsValid));
  RETURN_IF_ERROR(ValidateText("reminder", c.reminder(), 1000));
  ASSIGN_OR_RETURN(absl::CivilDay raised, CheckDate("raised_on", c.raised_on(), today, true));
  ASSIGN_OR_RETURN(absl::CivilDay due,
                   CheckDate("rectify_by", c.rectify_by(), today + 366 * 2, false));
  if (due < raised) return InvalidField("rectify_by", "must not precede raised_on", "BAD_DATE");
  if (c.follow_ups_size() > 0)
    return InvalidField("follow_ups", "are added with AddFollowUp", "OUTPUT_ONLY");
  return absl::OkStatus();
}

absl::Status ValidateFollowUp(const v1::FollowUp& f, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckDate("on", f.on(), today, true).status());
  return ValidateText("note", f.note(), 1000);
}

absl::Status ValidateMeasure(const v1::ExitMeasure& m, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", m.cadre_id()));
  RETURN_IF_ERROR(CheckKind("kind", m.kind(), v1::MeasureKind_IsValid));
  RETURN_IF_ERROR(ValidateText("grounds", m.grounds(), 2000));
  RETURN_IF_ERROR(CheckDate("decided_on", m.decided_on(), today, true).status());
  RETURN_IF_ERROR(ValidateText("deciding_body", m.deciding_body(), 200));
  RETURN_IF_ERROR(ValidateText("cadre_statement", m.cadre_statement(), 2000, false));
  if (m.appeal_window_days() < 0 || m.appeal_window_days() > 60) {
    return InvalidField("appeal_window_days", "must be from 0 to 60", "OUT_OF_RANGE");
  }
  return ValidateText("skip_reason", m.skip_reason(), 1000, false);
}

absl::Status ValidatePromotion(const v1::Promotion& p, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", p.cadre_id()));
  RETURN_IF_ERROR(CheckKind("channel", p.channel(), v1::Channel_IsValid));
  RETURN_IF_ERROR(CheckYearOf("year", p.year(), today));
  RETURN_IF_ERROR(ValidateText("post", p.post(), 200));
  ASSIGN_OR_RETURN(absl::CivilDay on, CheckDate("effective_on", p.effective_on(), today, false));
  if (on.year() != p.year())
    return InvalidField("effective_on", "must lie in the promotion's year", "BAD_DATE");
  return absl::OkStatus();
}

absl::Status ValidateInterview(const v1::Interview& i) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", i.cadre_id()));
  RETURN_IF_ERROR(CheckKind("basis", i.basis(), v1::Basis_IsValid));
  RETURN_IF_ERROR(ValidateText("outlet", i.outlet(), 200));
  RETURN_IF_ERROR(ValidateText("topic", i.topic(), 500));
  if (!IsSet(i.on())) return InvalidField("on", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay on, ToCivilDay("on", i.on()));
  if (on.year() < 2000 || on.year() > 2200)
    return InvalidField("on", "must lie from 2000 on", "BAD_DATE");
  return absl::OkStatus();
}

absl::Status ValidateCare(const v1::CareRecord& c, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", c.cadre_id()));
  RETURN_IF_ERROR(CheckKind("kind", c.kind(), v1::CareKind_IsValid));
  RETURN_IF_ERROR(CheckDate("on", c.on(), today, true).status());
  RETURN_IF_ERROR(ValidateText("summary", c.summary(), 500));
  RETURN_IF_ERROR(ValidateText("notes", c.notes(), 5000, false));
  if (c.aid_fen() < 0 || c.aid_fen() > 100'000'000) {
    return InvalidField("aid_fen", "must be from 0 to 1,000,000 yuan (in fen)", "OUT_OF_RANGE");
  }
  if (c.aid_fen() > 0 && c.kind() != v1::CARE_KIND_HARDSHIP_AID) {
    return InvalidField("aid_fen", "is for hardship aid only", "NOT_AID");
  }
  return absl::OkStatus();
}

absl::Status ValidateCheckIn(const v1::WellbeingCheckIn& c, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", c.cadre_id()));
  RETURN_IF_ERROR(CheckDate("on", c.on(), today, true).status());
  const std::pair<const char*, int> axes[] = {
      {"mind", c.mind()}, {"body", c.body()}, {"work", c.work()}, {"life", c.life()}};
  for (const auto& [field, v] : axes) {
    if (v < 1 || v > 5)
      return InvalidField(field, "must be from 1 (bad) to 5 (good)", "OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

absl::Status ValidateDelegate(const v1::Delegate& d) {
  RETURN_IF_ERROR(CheckCadre("cadre_id", d.cadre_id()));
  RETURN_IF_ERROR(CheckKind("body", d.body(), v1::Body_IsValid));
  const Level level = LevelOf(d.congress_region_code());
  if (level != Level::kCity && level != Level::kCounty && level != Level::kTownship &&
      level != Level::kProvince) {
    return InvalidField("congress_region_code", "must be a province, city, county or township code",
                        "BAD_REGION_CODE");
  }
  if (d.year() < 2000 || d.year() > 2200)
    return InvalidField("year", "must be a year from 2000", "OUT_OF_RANGE");
  return ValidateText("reason", d.reason(), 1000);
}

}  // namespace touyan::incentive
