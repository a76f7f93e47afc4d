// Shared by the tests that run contests (contest's own, incentive's): a
// contest service named "contest" in the binary's CallerEnvironment, and
// helpers for rounds, entries, judges, scores, sign-offs.
#ifndef TOUYAN_TESTS_CONTEST_FIXTURE_H_
#define TOUYAN_TESTS_CONTEST_FIXTURE_H_

#include <algorithm>
#include <string>
#include <vector>

#include "tests/personnel/fixture.h"
#include "touyan/contest/v1/contest.grpc.pb.h"

namespace touyan::testing {

namespace cv1 = ::touyan::contest::v1;

inline ServiceUnderTest* Contest() { return Service("contest"); }

class ContestTest : public PersonnelTest {
 protected:
  cv1::ContestService::Stub& contest() {
    if (!contest_) contest_ = cv1::ContestService::NewStub(Contest()->channel());
    return *contest_;
  }

  // A round of a county's contest (`county`: 6 digits) or a township's (9).
  cv1::Round NewRound(const std::string& token, const std::string& tag, const std::string& county,
                      cv1::Aggregation agg = cv1::AGGREGATION_MEAN) {
    cv1::CreateContestRequest cc;
    cc.set_request_id("contest-" + tag);
    auto* c = cc.mutable_contest();
    c->set_level(county.size() == 9 ? cv1::LEVEL_TOWNSHIP : cv1::LEVEL_COUNTY);
    c->set_region_code(county + std::string(12 - county.size(), '0'));
    c->set_year(2023);
    c->set_title("村党组织书记擂台比武");
    c->add_fields(cv1::FIELD_VILLAGE);
    c->add_fields(cv1::FIELD_COMMUNITY);
    cv1::Contest made;
    grpc::Status s = contest().CreateContest(WithToken(token).get(), cc, &made);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::CreateRoundRequest cr;
    cr.set_request_id("round-" + tag);
    cr.mutable_round()->set_contest_id(made.id());
    cr.mutable_round()->set_name("县级决赛");
    cr.mutable_round()->set_aggregation(agg);
    cr.mutable_round()->set_advance_top_n(1);
    auto* gold = cr.mutable_round()->add_star_bands();
    gold->set_stars(5);
    gold->set_top_share(0.34);
    cv1::Round round;
    s = contest().CreateRound(WithToken(token).get(), cr, &round);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return round;
  }

  // A round of `county` in JUDGING: each of `cadres` entered (in order) and
  // on panel A, with `judges` judges there ("评委1", …).
  struct Judging {
    cv1::Round round;
    std::vector<cv1::Entry> entries;
    std::vector<cv1::Judge> judges;
  };
  Judging StartJudging(const std::string& token, const std::string& tag, const std::string& county,
                       const std::vector<std::string>& cadres, int judges,
                       cv1::Aggregation agg = cv1::AGGREGATION_MEAN) {
    Judging j;
    j.round = NewRound(token, tag, county, agg);
    EXPECT_EQ(Advance(token, tag + "-open", j.round, cv1::ROUND_STATE_OPEN).code,
              grpc::StatusCode::OK);
    for (size_t i = 0; i < cadres.size(); ++i) {
      cv1::Entry e;
      EXPECT_EQ(Enter(token, absl::StrCat(tag, "-e", i), j.round, cadres[i], &e).code,
                grpc::StatusCode::OK);
      EXPECT_EQ(Assign(token, absl::StrCat(tag, "-p", i), e, "A").code, grpc::StatusCode::OK);
      j.entries.push_back(e);
    }
    for (int k = 0; k < judges; ++k) {
      cv1::Judge judge;
      EXPECT_EQ(AddJudge(token, absl::StrCat(tag, "-j", k), j.round, absl::StrCat("评委", k + 1),
                         "A", &judge)
                    .code,
                grpc::StatusCode::OK);
      j.judges.push_back(judge);
    }
    EXPECT_EQ(Advance(token, tag + "-judge", j.round, cv1::ROUND_STATE_JUDGING).code,
              grpc::StatusCode::OK);
    return j;
  }

  // Closes a judged round, signs its digest as monitor and counter, publishes.
  void ClosePublish(const std::string& token, const std::string& tag, const cv1::Round& round) {
    cv1::Round closed;
    ASSERT_EQ(Advance(token, tag + "-close", round, cv1::ROUND_STATE_CLOSED, &closed).code,
              grpc::StatusCode::OK);
    ASSERT_EQ(
        Sign(token, tag + "-m", round, cv1::SIGNER_ROLE_MONITOR, closed.results_digest()).code,
        grpc::StatusCode::OK);
    ASSERT_EQ(
        Sign(token, tag + "-c", round, cv1::SIGNER_ROLE_COUNTER, closed.results_digest()).code,
        grpc::StatusCode::OK);
    ASSERT_EQ(Advance(token, tag + "-pub", round, cv1::ROUND_STATE_PUBLISHED).code,
              grpc::StatusCode::OK);
  }

  Outcome Advance(const std::string& token, const std::string& rid, const cv1::Round& r,
                  cv1::RoundState to, cv1::Round* out = nullptr) {
    cv1::AdvanceRoundRequest req;
    req.set_request_id(rid);
    req.set_id(r.id());
    req.set_to(to);
    cv1::Round ignored;
    return OutcomeOf(contest().AdvanceRound(WithToken(token).get(), req, out ? out : &ignored));
  }

  Outcome Enter(const std::string& token, const std::string& rid, const cv1::Round& r,
                const std::string& cadre, cv1::Entry* out = nullptr) {
    cv1::CreateEntryRequest req;
    req.set_request_id(rid);
    req.mutable_entry()->set_round_id(r.id());
    req.mutable_entry()->set_cadre_id(cadre);
    req.mutable_entry()->mutable_report()->set_title("述职报告");
    auto* m = req.mutable_entry()->mutable_report()->add_materials();
    m->set_kind(cv1::MATERIAL_KIND_SLIDES);
    m->set_uri("https://files.example.gov.cn/slides/1.pdf");
    m->set_media_type("application/pdf");
    m->set_byte_size(123456);
    m->set_sha256(std::string(64, 'c'));
    cv1::Entry ignored;
    return OutcomeOf(contest().CreateEntry(WithToken(token).get(), req, out ? out : &ignored));
  }

  Outcome AddJudge(const std::string& token, const std::string& rid, const cv1::Round& r,
                   const std::string& name, const std::string& panel, cv1::Judge* out,
                   const std::string& region = "", const std::string& cadre = "") {
    cv1::AddJudgeRequest req;
    req.set_request_id(rid);
    req.mutable_judge()->set_round_id(r.id());
    req.mutable_judge()->set_name(name);
    req.mutable_judge()->set_panel(panel);
    req.mutable_judge()->set_region_code(region);
    req.mutable_judge()->set_cadre_id(cadre);
    cv1::Judge ignored;
    return OutcomeOf(contest().AddJudge(WithToken(token).get(), req, out ? out : &ignored));
  }

  Outcome Assign(const std::string& token, const std::string& rid, const cv1::Entry& e,
                 const std::string& panel) {
    cv1::AssignPanelRequest req;
    req.set_request_id(rid);
    req.set_entry_id(e.id());
    req.set_panel(panel);
    cv1::Entry ignored;
    return OutcomeOf(contest().AssignPanel(WithToken(token).get(), req, &ignored));
  }

  Outcome Score(const std::string& token, const std::string& rid, const cv1::Round& r,
                const cv1::Judge& j, const cv1::Entry& e, const std::string& dim, double value) {
    cv1::SubmitScoreRequest req;
    req.set_request_id(rid);
    req.set_round_id(r.id());
    req.mutable_score()->set_judge_id(j.id());
    req.mutable_score()->set_entry_id(e.id());
    req.mutable_score()->set_dimension(dim);
    req.mutable_score()->set_value(value);
    cv1::Score ignored;
    return OutcomeOf(contest().SubmitScore(WithToken(token).get(), req, &ignored));
  }

  // One client-streaming batch, in messages of `per_message` scores.
  grpc::Status Batch(const std::string& token, const std::string& rid, const cv1::Round& r,
                     const std::vector<cv1::Score>& scores, cv1::SubmitScoresResponse* out,
                     size_t per_message = 2) {
    auto ctx = WithToken(token);
    auto writer = contest().SubmitScores(ctx.get(), out);
    for (size_t i = 0; i < scores.size() || i == 0; i += per_message) {
      cv1::SubmitScoresRequest m;
      if (i == 0) {
        m.set_request_id(rid);
        m.set_round_id(r.id());
      }
      for (size_t k = i; k < std::min(scores.size(), i + per_message); ++k)
        *m.add_scores() = scores[k];
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static cv1::Score S(const cv1::Judge& j, const cv1::Entry& e, const std::string& dim, double v) {
    cv1::Score s;
    s.set_judge_id(j.id());
    s.set_entry_id(e.id());
    s.set_dimension(dim);
    s.set_value(v);
    return s;
  }

  cv1::Results Results(const std::string& token, const cv1::Round& r) {
    cv1::GetResultsRequest req;
    req.set_round_id(r.id());
    cv1::Results out;
    grpc::Status s = contest().GetResults(WithToken(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Outcome Sign(const std::string& token, const std::string& rid, const cv1::Round& r,
               cv1::SignerRole role, const std::string& digest) {
    cv1::SignResultsRequest req;
    req.set_request_id(rid);
    req.mutable_sign_off()->set_round_id(r.id());
    req.mutable_sign_off()->set_role(role);
    req.mutable_sign_off()->set_name(role == cv1::SIGNER_ROLE_MONITOR ? "监票人甲" : "计票人乙");
    req.mutable_sign_off()->set_digest(digest);
    cv1::SignOff ignored;
    return OutcomeOf(contest().SignResults(WithToken(token).get(), req, &ignored));
  }

 private:
  std::unique_ptr<cv1::ContestService::Stub> contest_;
};

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_CONTEST_FIXTURE_H_
