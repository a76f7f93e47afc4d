// The contest service through its gRPC API, with personnel running beside
// it (entrants are checked there), both on real Postgres.
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "common/db/migrate.h"
#include "common/db/rows.h"
#include "common/time/date.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/contest/domain/tabulation.h"
#include "services/contest/pg_rows.h"
#include "services/contest/spec.h"
#include "tests/contest/fixture.h"
#include "tests/support/exported.h"
#include "tests/support/hostile.h"

namespace touyan::contest {
std::vector<db::Migration> Migrations();
}

namespace touyan::testing {
namespace {

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(
    new CallerEnvironment(contest::ContestSpec(), "touyan_test_contest"));

TEST_F(ContestTest, ARoundFromEntriesToPublishedSignedResults) {
  const auto v = VillagesOf("150902");
  const std::string a = MakeSecretary(8001, v[0]), b = MakeSecretary(8002, v[1]),
                    c = MakeSecretary(8003, v[2]);
  cv1::Round round = NewRound(jining_, "main", "150902");
  EXPECT_EQ(round.state(), cv1::ROUND_STATE_DRAFT);
  ASSERT_EQ(round.rubric_size(), 3);  // the default rubric
  EXPECT_EQ(round.rubric(0).name(), "乡村治理");

  // The state machine's refusals.
  Outcome o = Enter(jining_, "e-draft", round, a);
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "WRONG_STATE");
  o = Advance(jining_, "adv-skip", round, cv1::ROUND_STATE_JUDGING);
  EXPECT_EQ(o.reason, "BAD_TRANSITION") << o;
  // A township operator of the county does not run the county's final.
  o = Advance(township_, "adv-township", round, cv1::ROUND_STATE_OPEN);
  EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;
  // An auditor reads, never writes.
  EXPECT_EQ(Advance(auditor_, "adv-auditor", round, cv1::ROUND_STATE_OPEN).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Advance(jining_, "adv-open", round, cv1::ROUND_STATE_OPEN).code, grpc::StatusCode::OK);

  cv1::Entry ea, eb, ec;
  ASSERT_EQ(Enter(jining_, "e-a", round, a, &ea).code, grpc::StatusCode::OK);
  EXPECT_EQ(ea.village_code(), v[0]);  // from personnel
  ASSERT_EQ(Enter(jining_, "e-b", round, b, &eb).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enter(jining_, "e-c", round, c, &ec).code, grpc::StatusCode::OK);
  o = Enter(jining_, "e-a2", round, a);
  EXPECT_EQ(o.reason, "ALREADY_ENTERED");
  EXPECT_EQ(o.message.find(ea.cadre_name()), std::string::npos)
      << "errors name ids, not people: " << o.message;
  {
    // A secretary of an enterprise's branch: not a field of this contest.
    pv1::CreatePartyOrgRequest org;
    org.set_request_id("ct-enterprise");
    org.mutable_party_org()->set_name("集宁某企业党支部");
    org.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
    org.mutable_party_org()->set_region_code(v[5]);
    pv1::PartyOrg made;
    ASSERT_TRUE(stub().CreatePartyOrg(WithToken(city_).get(), org, &made).ok());
    pv1::Cadre boss;
    ASSERT_TRUE(Create(city_, "ct-boss", NewCadre(8009, v[5]), &boss).ok());
    pv1::CreatePositionRequest pos;
    pos.set_request_id("ct-boss-pos");
    pos.mutable_position()->set_cadre_id(boss.id());
    pos.mutable_position()->set_party_org_id(made.id());
    pos.mutable_position()->set_kind(pv1::POSITION_KIND_BRANCH_SECRETARY);
    *pos.mutable_position()->mutable_term_start() = ToDate(absl::CivilDay(2021, 1, 15));
    pv1::Position p;
    ASSERT_TRUE(stub().CreatePosition(WithToken(city_).get(), pos, &p).ok());
    Outcome f = Enter(jining_, "e-enterprise", round, boss.id());
    EXPECT_EQ(f.code, grpc::StatusCode::FAILED_PRECONDITION) << f;
    EXPECT_EQ(f.reason, "FIELD_NOT_IN_CONTEST");
  }

  // Panels; conflicted judges refused whichever is assigned last.
  for (const auto* e : {&ea, &eb, &ec})
    ASSERT_EQ(Assign(jining_, "p-" + e->id(), *e, "A").code, grpc::StatusCode::OK);
  o = AddJudge(jining_, "j-bad", round, "同村评委", "A", nullptr, v[0]);
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "CONFLICT_OF_INTEREST");
  o = AddJudge(jining_, "j-self", round, "本人", "A", nullptr, "", a);
  EXPECT_EQ(o.reason, "CONFLICT_OF_INTEREST");
  for (const std::string& name : {std::string("本人"), ea.cadre_name()}) {
    EXPECT_EQ(o.message.find(name), std::string::npos)
        << "errors name ids, not people: " << o.message;
  }
  cv1::Judge j1, j2, jb;
  ASSERT_EQ(AddJudge(jining_, "j-1", round, "评委一", "A", &j1).code, grpc::StatusCode::OK);
  ASSERT_EQ(AddJudge(jining_, "j-2", round, "评委二", "A", &j2).code, grpc::StatusCode::OK);
  ASSERT_EQ(AddJudge(jining_, "j-b", round, "乙村评委", "B", &jb, v[1]).code, grpc::StatusCode::OK);
  EXPECT_EQ(Assign(jining_, "p-b-to-B", eb, "B").reason, "CONFLICT_OF_INTEREST");
  {  // Judges read back by id and by round, a panel at a time; an entry by id.
    using Stub = cv1::ContestService::Stub;
    cv1::Judge read;
    ASSERT_EQ(GetById(contest(), &Stub::GetJudge, jining_, jb.id(), &read).code,
              grpc::StatusCode::OK);
    EXPECT_EQ(read.DebugString(), jb.DebugString());
    EXPECT_EQ(GetById(contest(), &Stub::GetJudge, siziwang_, jb.id()).code,
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(GetById(contest(), &Stub::GetJudge, jining_, "150902-999999").code,
              grpc::StatusCode::NOT_FOUND);
    cv1::ListJudgesRequest judges;
    judges.set_round_id(round.id());
    judges.set_panel("A");
    judges.set_page_size(1);
    std::vector<std::string> names;
    for (int pages = 0; pages < 5; ++pages) {
      cv1::ListJudgesResponse page;
      ASSERT_TRUE(contest().ListJudges(WithToken(jining_).get(), judges, &page).ok());
      for (const auto& j : page.judges()) names.push_back(j.name());
      if (page.next_page_token().empty()) break;
      judges.set_page_token(page.next_page_token());
    }
    EXPECT_EQ(names, (std::vector<std::string>{"评委一", "评委二"}));
    judges.clear_page_token();
    judges.set_round_id("150902-999999");
    cv1::ListJudgesResponse none;
    EXPECT_EQ(OutcomeOf(contest().ListJudges(WithToken(jining_).get(), judges, &none)).code,
              grpc::StatusCode::NOT_FOUND);
    cv1::Entry entry;
    ASSERT_EQ(GetById(contest(), &Stub::GetEntry, jining_, ea.id(), &entry).code,
              grpc::StatusCode::OK);
    EXPECT_EQ(entry.cadre_id(), ea.cadre_id());
    EXPECT_EQ(entry.panel(), "A");
    EXPECT_EQ(GetById(contest(), &Stub::GetEntry, siziwang_, ea.id()).code,
              grpc::StatusCode::PERMISSION_DENIED);
  }

  EXPECT_EQ(Score(jining_, "s-early", round, j1, ea, "rural_governance", 80).reason, "WRONG_STATE");
  ASSERT_EQ(Advance(jining_, "adv-judge", round, cv1::ROUND_STATE_JUDGING).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enter(jining_, "e-late", round, MakeSecretary(8004, v[3])).reason, "WRONG_STATE");

  // Scores: out of range refused naming the field; a judge off the panel refused.
  o = Score(jining_, "s-big", round, j1, ea, "rural_governance", 100.5);
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT) << o;
  EXPECT_EQ(o.field, "score.value");
  EXPECT_EQ(Score(jining_, "s-neg", round, j1, ea, "rural_governance", -1).field, "score.value");
  EXPECT_EQ(Score(jining_, "s-dim", round, j1, ea, "nonsense", 1).field, "score.dimension");
  EXPECT_EQ(Score(jining_, "s-off", round, jb, ea, "rural_governance", 50).reason, "NOT_ON_PANEL");
  ASSERT_EQ(Score(jining_, "s-1", round, j1, ea, "rural_governance", 50).code,
            grpc::StatusCode::OK);
  // The rubric is locked now.
  cv1::SetRubricRequest rub;
  rub.set_request_id("rubric-late");
  rub.set_round_id(round.id());
  *rub.mutable_rubric() = round.rubric();
  cv1::Round ignored;
  EXPECT_EQ(OutcomeOf(contest().SetRubric(WithToken(jining_).get(), rub, &ignored)).reason,
            "RUBRIC_LOCKED");

  // The rest in one batch (a correction of s-1 included); a bad batch stores nothing.
  std::vector<cv1::Score> batch;
  for (const auto& [e, base] :
       std::vector<std::pair<cv1::Entry, double>>{{ea, 90}, {eb, 90}, {ec, 70}}) {
    for (const auto* j : {&j1, &j2}) {
      for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"})
        batch.push_back(S(*j, e, d, base));
    }
  }
  std::vector<cv1::Score> bad = batch;
  bad[7].set_value(101);
  cv1::SubmitScoresResponse stored;
  Outcome bo = OutcomeOf(Batch(jining_, "batch-bad", round, bad, &stored));
  EXPECT_EQ(bo.code, grpc::StatusCode::INVALID_ARGUMENT) << bo;
  EXPECT_EQ(bo.field, "scores[7].value");
  // Ids that do not parse or name another county are refused by position.
  bad = batch;
  bad[4].set_judge_id("150929-1");
  bo = OutcomeOf(Batch(jining_, "batch-bad-2", round, bad, &stored));
  EXPECT_EQ(bo.code, grpc::StatusCode::NOT_FOUND) << bo;
  EXPECT_EQ(bo.field, "scores[4].judge_id");
  bad[4] = batch[4];
  bad[11].set_entry_id("not-an-id");
  bo = OutcomeOf(Batch(jining_, "batch-bad-3", round, bad, &stored));
  EXPECT_EQ(bo.reason, "MALFORMED_ID") << bo;
  EXPECT_EQ(bo.field, "scores[11].entry_id");
  bad[3].set_dimension("charisma");  // an earlier score's error comes first
  bo = OutcomeOf(Batch(jining_, "batch-bad-4", round, bad, &stored));
  EXPECT_EQ(bo.reason, "UNKNOWN_DIMENSION") << bo;
  EXPECT_EQ(bo.field, "scores[3].dimension");
  const std::string values_stored =
      "SELECT coalesce(sum(num_nonnulls(VARIADIC value)), 0) FROM contest.score_sheets";
  EXPECT_EQ(Contest()->Count(values_stored), 1);
  cv1::ListMissingScoresRequest miss;
  miss.set_round_id(round.id());
  cv1::ListMissingScoresResponse missing;
  ASSERT_TRUE(contest().ListMissingScores(WithToken(jining_).get(), miss, &missing).ok());
  ASSERT_EQ(missing.judges_size(), 3);
  EXPECT_EQ(missing.judges(0).expected(), 9);  // 3 entries × 3 dimensions
  EXPECT_EQ(missing.judges(0).missing(), 8);
  ASSERT_TRUE(Batch(jining_, "batch-1", round, batch, &stored).ok());
  EXPECT_EQ(stored.scores_stored(), 18);
  ASSERT_TRUE(Batch(jining_, "batch-1", round, batch, &stored).ok());  // a retry: nothing new
  // The same scores in messages of another size are the same request; a
  // changed score is another.
  ASSERT_TRUE(Batch(jining_, "batch-1", round, batch, &stored, 5).ok());
  EXPECT_EQ(stored.scores_stored(), 18);
  std::vector<cv1::Score> changed = batch;
  changed[17].set_value(89);
  EXPECT_EQ(OutcomeOf(Batch(jining_, "batch-1", round, changed, &stored)).reason,
            "REQUEST_ID_REUSED");
  EXPECT_EQ(Contest()->Count(values_stored), 18);
  EXPECT_EQ(Contest()->Count("SELECT count(*) FROM contest.score_sheets"), 6)
      << "one sheet per judge and entry";
  ASSERT_TRUE(contest().ListMissingScores(WithToken(jining_).get(), miss, &missing).ok());
  EXPECT_EQ(missing.judges(0).missing(), 0);

  // Closing tabulates: a and b tie (270 each) and share rank 1.
  cv1::Round closed;
  ASSERT_EQ(Advance(jining_, "adv-close", round, cv1::ROUND_STATE_CLOSED, &closed).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(closed.results_digest().size(), 64u);
  EXPECT_EQ(Score(jining_, "s-after", round, j1, ea, "rural_governance", 10).reason, "WRONG_STATE");
  cv1::Results res = Results(jining_, round);
  ASSERT_EQ(res.entries_size(), 3);
  EXPECT_EQ(res.entries(0).rank(), 1);
  EXPECT_EQ(res.entries(1).rank(), 1);
  EXPECT_EQ(res.entries(2).rank(), 3);
  EXPECT_DOUBLE_EQ(res.entries(0).total(), 270);
  EXPECT_DOUBLE_EQ(res.entries(2).total(), 210);
  EXPECT_EQ(res.entries(2).cadre_id(), c);
  EXPECT_EQ(res.entries(0).stars(), 5);  // the top 34 %: ranks 1 and 2 of 3
  EXPECT_EQ(res.entries(2).stars(), 0);
  EXPECT_TRUE(res.entries(0).advances());
  EXPECT_FALSE(res.entries(2).advances());
  EXPECT_EQ(res.digest(), closed.results_digest());
  EXPECT_EQ(Results(jining_, round).digest(), res.digest());  // stable

  // Publishing needs both sign-offs on this digest.
  EXPECT_EQ(Advance(jining_, "adv-pub-0", round, cv1::ROUND_STATE_PUBLISHED).reason, "NOT_SIGNED");
  EXPECT_EQ(
      Sign(jining_, "sign-wrong", round, cv1::SIGNER_ROLE_MONITOR, std::string(64, '0')).reason,
      "DIGEST_MISMATCH");
  ASSERT_EQ(Sign(jining_, "sign-m", round, cv1::SIGNER_ROLE_MONITOR, res.digest()).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Advance(jining_, "adv-pub-1", round, cv1::ROUND_STATE_PUBLISHED).reason, "NOT_SIGNED");
  ASSERT_EQ(Sign(jining_, "sign-c", round, cv1::SIGNER_ROLE_COUNTER, res.digest()).code,
            grpc::StatusCode::OK);
  // Another county can neither read the unpublished results nor change the round.
  cv1::GetResultsRequest other;
  other.set_round_id(round.id());
  cv1::Results seen;
  EXPECT_EQ(contest().GetResults(WithToken(siziwang_).get(), other, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Advance(siziwang_, "adv-other", round, cv1::ROUND_STATE_PUBLISHED).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Advance(jining_, "adv-pub", round, cv1::ROUND_STATE_PUBLISHED).code,
            grpc::StatusCode::OK);
  // Published (亮晒比): readable by everyone.
  ASSERT_TRUE(contest().GetResults(WithToken(siziwang_).get(), other, &seen).ok());
  EXPECT_EQ(seen.digest(), res.digest());
  // The stored results read back as tabulated: their digest is the round's.
  EXPECT_EQ(contest::Digest({seen.entries().begin(), seen.entries().end()}), res.digest());
  EXPECT_EQ(seen.sign_offs_size(), 2);
  EXPECT_EQ(seen.state(), cv1::ROUND_STATE_PUBLISHED);

  // The published results as a workbook (openpyxl), read by another county
  // as GetResults is: ranks, dimension aggregates and totals as numbers,
  // stars, the digest and both sign-offs under the table.
  cv1::ExportResultsRequest ex;
  ex.set_round_id(round.id());
  auto ctx = WithToken(siziwang_);
  auto reader = contest().ExportResults(ctx.get(), ex);
  Exported x = ReadExport(*reader);
  ASSERT_EQ(x.end.code, grpc::StatusCode::OK) << x.end;
  EXPECT_EQ(x.filename, "round-" + round.id() + "-results.xlsx");
  nlohmann::json wb = ReadWorkbook(x.bytes);
  ASSERT_TRUE(wb.is_object()) << "openpyxl could not read the workbook";
  const nlohmann::json& sheet = wb["sheets"]["比武结果"];
  EXPECT_EQ(sheet["freeze"], "A2");
  const nlohmann::json& rows = sheet["rows"];
  ASSERT_GE(rows.size(), 4u);
  EXPECT_EQ(rows[0][6], "乡村治理") << "the rubric's names head the dimensions";
  const int total_col = static_cast<int>(rows[0].size()) - 3;
  for (int i = 0; i < 3; ++i) {
    const cv1::EntryResult& e = seen.entries(i);
    EXPECT_EQ(rows[i + 1][0], e.rank());
    EXPECT_EQ(rows[i + 1][2], e.cadre_id());
    EXPECT_DOUBLE_EQ(rows[i + 1][total_col].get<double>(), e.total());
    EXPECT_EQ(sheet["types"][i + 1][total_col], "n");
    EXPECT_EQ(rows[i + 1][total_col + 1], e.stars());
    EXPECT_EQ(rows[i + 1][total_col + 2], e.advances() ? "是" : "否");
  }
  const std::string text = wb.dump();
  EXPECT_NE(text.find("结果摘要（SHA-256）：" + res.digest()), std::string::npos);
  EXPECT_NE(text.find("监票人"), std::string::npos);
  EXPECT_NE(text.find("计票人"), std::string::npos);
  ex.set_round_id("150902-x");
  auto bad_ctx = WithToken(jining_);
  auto bad_reader = contest().ExportResults(bad_ctx.get(), ex);
  Exported refused = ReadExport(*bad_reader);
  EXPECT_EQ(refused.end.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.end.field, "round_id");
}

// A result with every field set, to strings and numbers JSON must escape
// or round-trip exactly.
cv1::EntryResult EveryFieldSet() {
  cv1::EntryResult r;
  r.set_entry_id("150902-7");
  r.set_cadre_id("150902-42");
  r.set_cadre_name("王\"小\\二\n\x01");
  (*r.mutable_by_dimension())["rural_governance"] = 0.1 + 0.2;
  (*r.mutable_by_dimension())["a \"key\""] = -1e-300;
  r.set_total(1e21 / 3);
  r.set_rank(3);
  r.set_stars(2);
  r.set_advances(true);
  r.set_panel("A组");
  r.set_panel_rank(1);
  return r;
}

// The results' stored JSON, written by hand, reads back as the same
// results and has proto3 JSON's names, which SQL reads (cadreId, rank,
// total, stars, cadreName).
TEST(ResultsJson, ReadsBackAsTheSameResultsWithProtoJsonNames) {
  std::vector<cv1::EntryResult> results(2);
  cv1::EntryResult& r = results[0];
  r = EveryFieldSet();
  const std::string json = contest::ResultsJson(results);  // results[1]: every field default
  cv1::Results back;
  ASSERT_TRUE(MergeFromJson(absl::StrCat("{\"entries\":", json, "}"), back).ok()) << json;
  ASSERT_EQ(back.entries_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back.entries(i), results[i]))
        << back.entries(i).DebugString();
  }
  // As google.protobuf.Struct (names and values), the first equals what
  // the protobuf JSON printer makes of it.
  google::protobuf::Struct mine, printed;
  const std::string first = json.substr(1, json.find("},{"));
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(first, &mine).ok()) << first;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ToJson(r), &printed).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(mine, printed)) << first << "\n"
                                                                                 << ToJson(r);
}

// ReadResult reads what ResultsJson wrote, as Postgres gives jsonb back
// (its spacing, key order and number text), and rows the protobuf printer
// wrote (default fields left out); it refuses what is not a result.
TEST(ResultsJson, ReadResultReadsWhatWasStored) {
  std::vector<cv1::EntryResult> results(2);
  cv1::EntryResult& r = results[0];
  r = EveryFieldSet();
  const std::string json = contest::ResultsJson(results);
  const std::string first = json.substr(1, json.find("},{"));
  const std::string second = json.substr(json.find("},{") + 2, json.size() - json.find("},{") - 3);
  cv1::EntryResult back;
  ASSERT_TRUE(contest::ReadResult(first, back).ok()) << first;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, r)) << back.DebugString();
  ASSERT_TRUE(contest::ReadResult(second, back).ok()) << second;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, results[1]))
      << back.DebugString();

  // Postgres's jsonb text of the first: keys by length, spaces, numbers as
  // numeric prints them.
  const std::string pg =
      R"({"rank": 3, "panel": "A组", "stars": 2, "total": 333333333333333300000, "cadreId": )"
      R"("150902-42", "entryId": "150902-7", "advances": true, "cadreName": "王\"小\\二\n\u0001", )"
      R"("panelRank": 1, "byDimension": {"a \"key\"": -0.)" +
      std::string(299, '0') + R"(1, "rural_governance": 0.30000000000000004}})";
  ASSERT_TRUE(contest::ReadResult(pg, back).ok()) << pg;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, r)) << back.DebugString();

  // The protobuf printer's form: defaults left out, NaN and infinities as
  // strings.
  ASSERT_TRUE(contest::ReadResult(R"({"entryId": "150902-8", "total": "NaN", "byDimension": )"
                                  R"({"x": "-Infinity", "y": "Infinity"}})",
                                  back)
                  .ok());
  EXPECT_EQ(back.entry_id(), "150902-8");
  EXPECT_TRUE(std::isnan(back.total()));
  EXPECT_EQ(back.by_dimension().at("x"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(back.by_dimension().at("y"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(back.rank(), 0);
  EXPECT_FALSE(back.advances());

  for (const char* bad :
       {"", "[1]", "{\"rank\": \"3\"}", "{\"total\": \"many\"}", "{\"entryId\": 7}",
        "{\"byDimension\": {\"x\": true}}", "{\"advances\": 1}", "{\"rank\": 1.5}"}) {
    EXPECT_EQ(contest::ReadResult(bad, back).code(), absl::StatusCode::kInternal) << bad;
  }
}

TEST_F(ContestTest, TrimmedMeanAndZScoresEqualHandComputedValues) {
  const auto v = VillagesOf("150921");
  const std::string a = MakeSecretary(8101, v[0]), b = MakeSecretary(8102, v[1]);
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150921000000", "zhuozi");
  for (auto agg : {cv1::AGGREGATION_TRIMMED_MEAN, cv1::AGGREGATION_Z_SCORE}) {
    const std::string tag = cv1::Aggregation_Name(agg);
    Judging j = StartJudging(county, tag, "150921", {a, b}, 5, agg);
    const cv1::Round& round = j.round;
    const cv1::Entry &ea = j.entries[0], &eb = j.entries[1];
    const std::vector<cv1::Judge>& judges = j.judges;
    // Only rural_governance is scored (the others count 0).
    // Entry a: 60 70 80 90 100; entry b: 64 70 80 90 96.
    const double sa[] = {60, 70, 80, 90, 100}, sb[] = {64, 70, 80, 90, 96};
    std::vector<cv1::Score> scores;
    for (int i = 0; i < 5; ++i) {
      scores.push_back(S(judges[i], ea, "rural_governance", sa[i]));
      scores.push_back(S(judges[i], eb, "rural_governance", sb[i]));
    }
    cv1::SubmitScoresResponse stored;
    ASSERT_TRUE(Batch(county, tag + "-scores", round, scores, &stored, 3).ok());
    ASSERT_EQ(Advance(county, tag + "-close", round, cv1::ROUND_STATE_CLOSED).code,
              grpc::StatusCode::OK);
    cv1::Results res = Results(county, round);
    ASSERT_EQ(res.entries_size(), 2);
    if (agg == cv1::AGGREGATION_TRIMMED_MEAN) {
      // a: (70 + 80 + 90) / 3 = 80; b: (70 + 80 + 90) / 3 = 80 → a tie.
      EXPECT_DOUBLE_EQ(res.entries(0).total(), 80);
      EXPECT_DOUBLE_EQ(res.entries(1).total(), 80);
      EXPECT_EQ(res.entries(1).rank(), 1);
    } else {
      // Each judge scored a and b; judge 0 gave 60 and 64: z = −1 for a, +1
      // for b; judge 4 gave 100 and 96: +1 for a, −1 for b; judges 1–3 gave
      // equal scores: 0. Mean: a 0, b 0 → a tie again at 0.
      EXPECT_DOUBLE_EQ(res.entries(0).total(), 0);
      EXPECT_DOUBLE_EQ(res.entries(1).total(), 0);
    }
  }
}

// A batch larger than one group of sheets is written while it streams
// (PgScoreWriter sends 500 sheets at a time): still all or none, and a
// later score for a sheet already sent replaces its value.
TEST_F(ContestTest, ALargeBatchIsAllOrNoneAndItsLastScoreWins) {
  const auto v = VillagesOf("150929");
  const std::string a = MakeSecretary(9901, v[0]), b = MakeSecretary(9902, v[1]);
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150929000000", "siziwang");
  Judging j = StartJudging(county, "large", "150929", {a, b}, 260);
  const cv1::Round& round = j.round;
  const std::string sheets_of_round = absl::StrCat(
      "SELECT count(*) FROM contest.score_sheets WHERE county_code = '150929' AND round_id = ",
      round.id().substr(round.id().find('-') + 1));
  // Every judge scores both entries on every dimension, judge by judge:
  // 520 sheets. Judge 1's first score for entry a is 10; the batch's last
  // score sets it to 90, long after its sheet was sent.
  std::vector<cv1::Score> scores;
  for (const cv1::Judge& judge : j.judges) {
    for (const cv1::Entry* e : {&j.entries[0], &j.entries[1]}) {
      for (const cv1::Dimension& d : round.rubric()) {
        const bool first =
            &judge == &j.judges[0] && e == &j.entries[0] && d.key() == round.rubric(0).key();
        scores.push_back(S(judge, *e, d.key(), first ? 10 : 50));
      }
    }
  }
  scores.push_back(S(j.judges[0], j.entries[0], round.rubric(0).key(), 90));
  // A bad last score: refused, and none of the groups sent before it stays.
  std::vector<cv1::Score> bad = scores;
  bad.push_back(S(j.judges[5], j.entries[1], round.rubric(1).key(), 1000));
  cv1::SubmitScoresResponse stored;
  Outcome o = OutcomeOf(Batch(county, "large-bad", round, bad, &stored, 100));
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT) << o;
  EXPECT_EQ(o.field, absl::StrCat("scores[", bad.size() - 1, "].value"));
  EXPECT_EQ(Contest()->Count(sheets_of_round), 0);
  // The good batch: every sheet stored once; a retry split otherwise gets
  // the same answer and stores nothing new.
  ASSERT_TRUE(Batch(county, "large-1", round, scores, &stored, 100).ok());
  EXPECT_EQ(stored.scores_stored(), static_cast<int64_t>(scores.size()));
  EXPECT_EQ(Contest()->Count(sheets_of_round), 520);
  cv1::SubmitScoresResponse again;
  ASSERT_TRUE(Batch(county, "large-1", round, scores, &again, 1000).ok());
  EXPECT_EQ(again.scores_stored(), stored.scores_stored());
  // Entry a differs from b only by judge 1's first dimension: 90 (the last
  // score) puts a first; 10 (the value first sent) would put b first.
  ASSERT_EQ(Advance(county, "large-close", round, cv1::ROUND_STATE_CLOSED).code,
            grpc::StatusCode::OK);
  cv1::Results res = Results(county, round);
  ASSERT_EQ(res.entries_size(), 2);
  EXPECT_EQ(res.entries(0).entry_id(), j.entries[0].id());
  EXPECT_GT(res.entries(0).total(), res.entries(1).total());
}

TEST_F(ContestTest, ZScoresReorderAStrictAndALenientJudge) {
  const auto v = VillagesOf("150923");
  const std::string a = MakeSecretary(8201, v[0]), b = MakeSecretary(8202, v[1]),
                    c = MakeSecretary(8203, v[2]);
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150923000000", "shangdu");
  Judging j = StartJudging(county, "zs", "150923", {a, b, c}, 2, cv1::AGGREGATION_Z_SCORE);
  const cv1::Round& round = j.round;
  const cv1::Entry &ea = j.entries[0], &eb = j.entries[1], &ec = j.entries[2];
  const cv1::Judge &strict = j.judges[0], &lenient = j.judges[1];
  // Strict: a 50, b 60, c 70 (mean 60, sd √(200/3) = 8.164966); lenient:
  // a 100, b 90, c 86 (mean 92, sd √(104/3) = 5.887841). The plain mean
  // ranks a first (75, 75, 78 → c, then a and b); z-scores weigh each
  // judge's spread.
  std::vector<cv1::Score> scores = {
      S(strict, ea, "rural_governance", 50),  S(strict, eb, "rural_governance", 60),
      S(strict, ec, "rural_governance", 70),  S(lenient, ea, "rural_governance", 100),
      S(lenient, eb, "rural_governance", 90), S(lenient, ec, "rural_governance", 86)};
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(county, "zs-scores", round, scores, &stored).ok());
  ASSERT_EQ(Advance(county, "zs-close", round, cv1::ROUND_STATE_CLOSED).code, grpc::StatusCode::OK);
  cv1::Results res = Results(county, round);
  ASSERT_EQ(res.entries_size(), 3);
  // Hand-computed: strict z = (−1.224745, 0, 1.224745); lenient z =
  // (8, −2, −6) / 5.887841 = (1.358732, −0.339683, −1.019049).
  // Means: a 0.066994, b −0.169842, c 0.102848.
  std::map<std::string, double> total;
  for (const auto& e : res.entries()) total[e.entry_id()] = e.total();
  EXPECT_NEAR(total[ea.id()], 0.066994, 1e-6);
  EXPECT_NEAR(total[eb.id()], -0.169842, 1e-6);
  EXPECT_NEAR(total[ec.id()], 0.102848, 1e-6);
  EXPECT_EQ(res.entries(0).entry_id(), ec.id());
  EXPECT_EQ(res.entries(1).entry_id(), ea.id());
}

// The database keeps every score to a judge and an entry of its county (a
// check per statement, migration 006): what the service refuses is refused
// under it too, and judges and entries are never removed from under scores.
TEST_F(ContestTest, ScoresKeepTheirJudgesAndEntriesInTheDatabase) {
  const auto v = VillagesOf("150927");
  const std::string a = MakeSecretary(9801, v[0]), b = MakeSecretary(9802, v[1]);
  const std::string county =
      Personnel()->Token(Role::kCountyOperator, "150927000000", "chayouzhong");
  Judging j = StartJudging(county, "refs", "150927", {a, b}, 2, cv1::AGGREGATION_Z_SCORE);
  const cv1::Entry &ea = j.entries[0], &eb = j.entries[1];
  const cv1::Judge &j1 = j.judges[0], &j2 = j.judges[1];
  cv1::SubmitScoresResponse stored;
  // The round's first batch, then one that corrects a score, adds a judge's
  // sheet and adds a dimension to a sheet stored before.
  ASSERT_TRUE(Batch(county, "refs-1", j.round,
                    {S(j1, ea, "rural_governance", 50), S(j1, eb, "rural_governance", 60)}, &stored)
                  .ok());
  ASSERT_TRUE(Batch(county, "refs-2", j.round,
                    {S(j1, ea, "rural_governance", 55), S(j2, ea, "rural_governance", 70),
                     S(j1, ea, "practical_deeds", 40)},
                    &stored)
                  .ok());
  // A malformed id is named by its place in the batch; nothing is stored.
  cv1::Score bad = S(j2, eb, "rural_governance", 80);
  bad.set_judge_id("no-such-judge");
  Outcome malformed = OutcomeOf(
      Batch(county, "refs-bad", j.round, {S(j2, eb, "rural_governance", 80), bad}, &stored));
  EXPECT_EQ(malformed.code, grpc::StatusCode::INVALID_ARGUMENT) << malformed;
  EXPECT_EQ(malformed.field, "scores[1].judge_id");
  // A single score fills in one more value of the sheet.
  cv1::SubmitScoreRequest one;
  one.set_request_id("refs-one");
  one.set_round_id(j.round.id());
  *one.mutable_score() = S(j1, ea, "collective_economy", 30);
  cv1::Score echoed;
  grpc::Status st = contest().SubmitScore(WithToken(county).get(), one, &echoed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const ResourceId round = *ResourceId::Parse("id", j.round.id());
  const ResourceId judge = *ResourceId::Parse("id", j1.id());
  const ResourceId entry = *ResourceId::Parse("id", ea.id());
  // One sheet per judge and entry, its values in the rubric's order.
  const std::string of_round = absl::StrCat(
      "FROM contest.score_sheets WHERE county_code = '150927' AND round_id = ", round.number);
  EXPECT_EQ(Contest()->Count("SELECT count(*) " + of_round), 3);
  EXPECT_EQ(Contest()->Count("SELECT sum(num_nonnulls(VARIADIC value)) " + of_round), 5);
  auto sheet = [&](const ResourceId& jg, const ResourceId& en) {
    auto conn = Contest()->Admin();
    pqxx::work w(*conn);
    return w
        .exec1(absl::StrCat("SELECT value::text ", of_round, " AND judge_id = ", jg.number,
                            " AND entry_id = ", en.number))[0]
        .as<std::string>();
  };
  EXPECT_EQ(sheet(judge, entry), "{55,30,40}");
  EXPECT_EQ(sheet(judge, *ResourceId::Parse("id", eb.id())), "{60,NULL,NULL}");

  // Even a superuser's statements (no row-level security) are checked.
  auto run = [&](const std::string& sql) {
    auto conn = Contest()->Admin();
    pqxx::work w(*conn);
    w.exec(sql);
    w.commit();
  };
  const std::string values = absl::StrCat(
      "INSERT INTO contest.score_sheets (county_code, round_id, judge_id, entry_id, value) "
      "VALUES ('150927', ",
      round.number, ", ");
  EXPECT_THROW(run(absl::StrCat(values, 999999999, ", ", entry.number, ", '{1,1,1}')")),
               pqxx::foreign_key_violation);
  EXPECT_THROW(run(absl::StrCat(values, judge.number, ", ", 999999999, ", '{1,1,1}')")),
               pqxx::foreign_key_violation);
  // A judge and an entry of another round of the county are not this round's.
  cv1::Round other = NewRound(county, "refs-other", "150927");
  const int64_t other_round = ResourceId::Parse("id", other.id())->number;
  EXPECT_THROW(
      run(absl::StrCat("INSERT INTO contest.score_sheets (county_code, round_id, judge_id, "
                       "entry_id, value) VALUES ('150927', ",
                       other_round, ", ", judge.number, ", ", entry.number, ", '{1,1,1}')")),
      pqxx::foreign_key_violation);
  // A judge of another county with the same number is not this county's.
  EXPECT_THROW(
      run(absl::StrCat("INSERT INTO contest.score_sheets (county_code, round_id, judge_id, "
                       "entry_id, value) VALUES ('150928', ",
                       round.number, ", ", judge.number, ", ", entry.number, ", '{1,1,1}')")),
      pqxx::foreign_key_violation);
  EXPECT_THROW(run(absl::StrCat("UPDATE contest.score_sheets SET judge_id = 999999999 WHERE "
                                "county_code = '150927' AND round_id = ",
                                round.number, " AND judge_id = ", judge.number,
                                " AND entry_id = ", entry.number)),
               pqxx::foreign_key_violation);
  // Values are not negative, and a sheet holds at least one.
  const int64_t judge2 = ResourceId::Parse("id", j2.id())->number;
  const int64_t entry_b = ResourceId::Parse("id", eb.id())->number;
  EXPECT_THROW(run(absl::StrCat(values, judge2, ", ", entry_b, ", '{-1,1,1}')")),
               pqxx::check_violation);
  EXPECT_THROW(run(absl::StrCat(values, judge2, ", ", entry_b, ", '{NULL,NULL,NULL}')")),
               pqxx::check_violation);
  EXPECT_THROW(run(absl::StrCat("DELETE FROM contest.judges WHERE county_code = '150927' AND id = ",
                                judge.number)),
               pqxx::restrict_violation);
  EXPECT_THROW(
      run(absl::StrCat("DELETE FROM contest.entries WHERE county_code = '150927' AND id = ",
                       entry.number)),
      pqxx::restrict_violation);
  EXPECT_THROW(
      run(absl::StrCat(
          "UPDATE contest.entries SET id = id + 1000000000 WHERE county_code = '150927' AND id = ",
          entry.number)),
      pqxx::restrict_violation);
  EXPECT_THROW(run("TRUNCATE contest.judges CASCADE"), pqxx::restrict_violation);
  EXPECT_EQ(Contest()->Count("SELECT count(*) " + of_round), 3);
  // Other changes to an entry go on as before. A withdrawn entry's scores
  // (the API withdraws only before judging; the rows allow it) leave the
  // tabulation, and the judges' spread with them: judge 1 then scored only a
  // (z = 0), not a 55 and b 60 (z = -1).
  run(absl::StrCat("UPDATE contest.entries SET state = 2 WHERE county_code = '150927' AND id = ",
                   ResourceId::Parse("id", eb.id())->number));
  ASSERT_EQ(Advance(county, "refs-close", j.round, cv1::ROUND_STATE_CLOSED).code,
            grpc::StatusCode::OK);
  cv1::Results res = Results(county, j.round);
  ASSERT_EQ(res.entries_size(), 1);
  EXPECT_EQ(res.entries(0).entry_id(), ea.id());
  EXPECT_DOUBLE_EQ(res.entries(0).total(), 0);
}

// Scores stored one row per dimension (before migration 007) become one
// sheet per judge and entry, each value in its dimension's place in the
// rubric, NULL where none was given.
TEST_F(ContestTest, ScoresStoredBeforeSheetsMoveIntoSheets) {
  const std::string schema = "contest_upgrade";
  const std::string owner_url = Contest()->config().migration_database_url;
  auto admin = [&](const std::string& sql) {
    auto conn = Contest()->Admin();
    pqxx::work w(*conn);
    pqxx::result r = w.exec(sql);
    w.commit();
    return r;
  };
  admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  admin("CREATE SCHEMA " + schema + " AUTHORIZATION " + db::UserOf(owner_url));
  const db::SchemaRoles roles{schema, db::UserOf(Contest()->config().database_url)};
  std::vector<db::Migration> before = contest::Migrations();
  while (!before.empty() && before.back().name >= "007") before.pop_back();
  ASSERT_EQ(before.size(), 6u);
  ASSERT_TRUE(db::Migrate(owner_url, roles, before).ok());
  const std::string s = schema + ".";
  admin("INSERT INTO " + s +
        "contests (county_code, id, level, region_code, region_prefix, year, title, fields) "
        "VALUES ('150927', 1, 2, '150927000000', '150927', 2023, '比武', '{1}')");
  admin("INSERT INTO " + s +
        "rounds (county_code, id, contest_id, number, name, state, aggregation, rubric) VALUES "
        "('150927', 1, 1, 1, '决赛', 3, 1, '{\"rubric\": [{\"key\": \"a\"}, {\"key\": "
        "\"b\"}, {\"key\": \"c\"}]}')");
  admin("INSERT INTO " + s +
        "entries (county_code, id, round_id, cadre_id, cadre_name, village_code, report) VALUES "
        "('150927', 1, 1, 'c1', '甲', '150927001001', '{}'), "
        "('150927', 2, 1, 'c2', '乙', '150927001002', '{}')");
  admin("INSERT INTO " + s +
        "judges (county_code, id, round_id, name, panel) VALUES ('150927', 1, 1, '评委1', 'A'), "
        "('150927', 2, 1, '评委2', 'A')");
  admin("INSERT INTO " + s +
        "scores (county_code, round_id, judge_id, entry_id, dimension, value) VALUES "
        "('150927', 1, 1, 1, 'c', 70), ('150927', 1, 1, 1, 'a', 50.5), "
        "('150927', 1, 2, 1, 'b', 60), ('150927', 1, 1, 2, 'a', 0)");

  ASSERT_TRUE(db::Migrate(owner_url, roles, contest::Migrations()).ok());
  pqxx::result sheets =
      admin("SELECT judge_id, entry_id, value::text FROM " + s + "score_sheets ORDER BY 1, 2");
  std::vector<std::string> got;
  for (const auto& r : sheets) {
    got.push_back(
        absl::StrCat(r[0].as<int64_t>(), "/", r[1].as<int64_t>(), " ", r[2].as<std::string>()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1/1 {50.5,NULL,70}", "1/2 {0,NULL,NULL}",
                                           "2/1 {NULL,60,NULL}"}));
  EXPECT_EQ(admin("SELECT to_regclass('" + s + "scores') IS NULL")[0][0].as<bool>(), true);
  admin("DROP SCHEMA " + schema + " CASCADE");
}

TEST_F(ContestTest, AnUpheldAppealRetabulatesAndOutcomesReachPersonnelOnce) {
  const auto v = VillagesOf("150922");
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150922000000", "huade");
  const std::string a = MakeSecretary(8301, v[0]), b = MakeSecretary(8302, v[1]),
                    c = MakeSecretary(8303, v[2]);
  cv1::Round round = NewRound(county, "ap", "150922");
  ASSERT_EQ(Advance(county, "ap-open", round, cv1::ROUND_STATE_OPEN).code, grpc::StatusCode::OK);
  cv1::Entry ea, eb, ec;
  ASSERT_EQ(Enter(county, "ap-a", round, a, &ea).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enter(county, "ap-b", round, b, &eb).code, grpc::StatusCode::OK);
  ASSERT_EQ(Enter(county, "ap-c", round, c, &ec).code, grpc::StatusCode::OK);
  EXPECT_FALSE(ec.party_org_id().empty());  // the organisation c leads, from personnel
  // A judge of c's own organisation is refused for c's panel.
  ASSERT_EQ(Assign(county, "ap-pc", ec, "A").code, grpc::StatusCode::OK);
  cv1::AddJudgeRequest own;
  own.set_request_id("ap-own");
  own.mutable_judge()->set_round_id(round.id());
  own.mutable_judge()->set_name("同单位评委");
  own.mutable_judge()->set_panel("A");
  own.mutable_judge()->set_party_org_id(ec.party_org_id());
  cv1::Judge ignored_judge;
  EXPECT_EQ(OutcomeOf(contest().AddJudge(WithToken(county).get(), own, &ignored_judge)).reason,
            "CONFLICT_OF_INTEREST");
  ASSERT_EQ(Assign(county, "ap-pa", ea, "A").code, grpc::StatusCode::OK);
  ASSERT_EQ(Assign(county, "ap-pb", eb, "A").code, grpc::StatusCode::OK);
  cv1::Judge j;
  ASSERT_EQ(AddJudge(county, "ap-j", round, "评委", "A", &j).code, grpc::StatusCode::OK);
  ASSERT_EQ(Advance(county, "ap-judge", round, cv1::ROUND_STATE_JUDGING).code,
            grpc::StatusCode::OK);
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(county, "ap-scores", round,
                    {S(j, ea, "rural_governance", 90), S(j, eb, "rural_governance", 80),
                     S(j, ec, "rural_governance", 60)},
                    &stored)
                  .ok());
  cv1::Round closed;
  ASSERT_EQ(Advance(county, "ap-close", round, cv1::ROUND_STATE_CLOSED, &closed).code,
            grpc::StatusCode::OK);
  const std::string first = closed.results_digest();
  ASSERT_EQ(Sign(county, "ap-sign-m1", round, cv1::SIGNER_ROLE_MONITOR, first).code,
            grpc::StatusCode::OK);

  // c appeals; upheld, c's scoring reopens (and only c's).
  cv1::FileAppealRequest fa;
  fa.set_request_id("ap-file");
  fa.set_entry_id(ec.id());
  fa.set_reason("评委漏看了第二段视频");
  cv1::Appeal appeal;
  ASSERT_TRUE(contest().FileAppeal(WithToken(county).get(), fa, &appeal).ok());
  EXPECT_EQ(Score(county, "ap-c-early", round, j, ec, "rural_governance", 95).reason,
            "WRONG_STATE");
  cv1::DecideAppealRequest da;
  da.set_request_id("ap-decide");
  da.set_id(appeal.id());
  da.set_upheld(true);
  da.set_note("重新评分");
  ASSERT_TRUE(contest().DecideAppeal(WithToken(county).get(), da, &appeal).ok());
  EXPECT_EQ(appeal.state(), cv1::APPEAL_STATE_UPHELD);
  {  // The appeal by id and in the round's list (by state).
    using Stub = cv1::ContestService::Stub;
    cv1::Appeal read;
    ASSERT_EQ(GetById(contest(), &Stub::GetAppeal, county, appeal.id(), &read).code,
              grpc::StatusCode::OK);
    EXPECT_EQ(read.DebugString(), appeal.DebugString());
    EXPECT_EQ(GetById(contest(), &Stub::GetAppeal, jining_, appeal.id()).code,
              grpc::StatusCode::PERMISSION_DENIED);
    cv1::ListAppealsRequest list;
    list.set_round_id(round.id());
    cv1::ListAppealsResponse appeals;
    ASSERT_TRUE(contest().ListAppeals(WithToken(county).get(), list, &appeals).ok());
    ASSERT_EQ(appeals.appeals_size(), 1);
    EXPECT_EQ(appeals.appeals(0).DebugString(), appeal.DebugString());
    list.set_state(cv1::APPEAL_STATE_FILED);
    ASSERT_TRUE(contest().ListAppeals(WithToken(county).get(), list, &appeals).ok());
    EXPECT_EQ(appeals.appeals_size(), 0);
    list.set_state(static_cast<cv1::AppealState>(9));
    EXPECT_EQ(OutcomeOf(contest().ListAppeals(WithToken(county).get(), list, &appeals)).field,
              "state");
  }
  EXPECT_EQ(Score(county, "ap-a-late", round, j, ea, "rural_governance", 10).reason, "WRONG_STATE");
  ASSERT_EQ(Score(county, "ap-c-again", round, j, ec, "rural_governance", 95).code,
            grpc::StatusCode::OK);
  cv1::RetabulateRoundRequest rt;
  rt.set_request_id("ap-retab");
  rt.set_round_id(round.id());
  cv1::Round retab;
  ASSERT_TRUE(contest().RetabulateRound(WithToken(county).get(), rt, &retab).ok());
  EXPECT_NE(retab.results_digest(), first);
  cv1::Results res = Results(county, round);
  EXPECT_EQ(res.entries(0).entry_id(), ec.id());  // 95 now leads
  EXPECT_EQ(res.sign_offs_size(), 0);             // the old sign-off was on the old digest
  ASSERT_EQ(Sign(county, "ap-sign-m2", round, cv1::SIGNER_ROLE_MONITOR, res.digest()).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Sign(county, "ap-sign-c2", round, cv1::SIGNER_ROLE_COUNTER, res.digest()).code,
            grpc::StatusCode::OK);

  // Outcomes need a published round.
  cv1::ConvertOutcomesRequest oc;
  oc.set_request_id("ap-outcomes");
  oc.set_round_id(round.id());
  auto* top = oc.add_rules();
  top->set_kind(cv1::OUTCOME_KIND_DEMONSTRATION_SITE);
  top->set_n(1);
  auto* bottom = oc.add_rules();
  bottom->set_kind(cv1::OUTCOME_KIND_RECTIFICATION_TARGET);
  bottom->set_n(1);
  bottom->set_instructor("旗委组织部派驻指导员");
  *bottom->mutable_rectification_deadline() = ToDate(absl::CivilDay(2024, 6, 30));
  cv1::ConvertOutcomesResponse outcomes;
  EXPECT_EQ(OutcomeOf(contest().ConvertOutcomes(WithToken(county).get(), oc, &outcomes)).reason,
            "WRONG_STATE");
  ASSERT_EQ(Advance(county, "ap-pub", round, cv1::ROUND_STATE_PUBLISHED).code,
            grpc::StatusCode::OK);
  oc.set_request_id("ap-outcomes-2");
  grpc::Status s = contest().ConvertOutcomes(WithToken(county).get(), oc, &outcomes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(outcomes.outcomes_size(), 2);
  for (const auto& o : outcomes.outcomes()) EXPECT_FALSE(o.designation_id().empty());
  EXPECT_EQ(outcomes.outcomes(0).cadre_id(), c);  // the demonstration site: c's organisation
  EXPECT_EQ(outcomes.outcomes(1).cadre_id(), b);  // the rectification target: the last
  {
    cv1::Outcome read;
    ASSERT_EQ(GetById(contest(), &cv1::ContestService::Stub::GetOutcome, county,
                      outcomes.outcomes(1).id(), &read)
                  .code,
              grpc::StatusCode::OK);
    EXPECT_EQ(read.DebugString(), outcomes.outcomes(1).DebugString());
    EXPECT_EQ(GetById(contest(), &cv1::ContestService::Stub::GetOutcome, jining_, read.id()).code,
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Retried, and asked again: the designations exist once.
  ASSERT_TRUE(contest().ConvertOutcomes(WithToken(county).get(), oc, &outcomes).ok());
  oc.set_request_id("ap-outcomes-3");
  ASSERT_TRUE(contest().ConvertOutcomes(WithToken(county).get(), oc, &outcomes).ok());
  EXPECT_EQ(
      Personnel()->Count(
          "SELECT count(*) FROM personnel.designations WHERE source LIKE 'contest/outcomes/%' "
          "AND county_code = '150922'"),
      2);
  pv1::ListDesignationsRequest ld;
  ld.set_region_code("150922000000");
  pv1::ListDesignationsResponse designations;
  ASSERT_TRUE(stub().ListDesignations(WithToken(county).get(), ld, &designations).ok());
  ASSERT_EQ(designations.designations_size(), 2);
  for (const auto& d : designations.designations()) {  // 派员指导, in the same conversion
    EXPECT_EQ(d.instructor(),
              d.kind() == pv1::DESIGNATION_KIND_RECTIFICATION_TARGET ? "旗委组织部派驻指导员" : "");
  }
  // Listed for the incentive service.
  cv1::ListOutcomesRequest lo;
  lo.set_year(2023);
  cv1::ListOutcomesResponse listed;
  ASSERT_TRUE(contest().ListOutcomes(WithToken(county).get(), lo, &listed).ok());
  EXPECT_EQ(listed.outcomes_size(), 2);
}

}  // namespace
}  // namespace touyan::testing
