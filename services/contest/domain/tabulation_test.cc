#include "services/contest/domain/tabulation.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "gtest/gtest.h"
#include "services/contest/domain/rules.h"

namespace touyan::contest {
namespace {

v1::Dimension Dim(const std::string& key, double weight, double max = 100) {
  v1::Dimension d;
  d.set_key(key);
  d.set_name(key);
  d.set_weight(weight);
  d.set_max(max);
  return d;
}

TabulationInput OneDimension(v1::Aggregation agg, std::vector<EntryRef> entries,
                             std::vector<ScoreRow> scores) {
  TabulationInput in;
  in.aggregation = agg;
  in.rubric = {Dim("d", 1)};
  in.entries = std::move(entries);
  in.scores = std::move(scores);
  return in;
}

TEST(Tabulation, TrimmedMeanDropsTheExtremesFromFiveJudgesOn) {
  std::vector<ScoreRow> five, four;
  int j = 0;
  for (double v : {60, 70, 80, 90, 100}) five.push_back({j++, 0, 0, v});
  j = 0;
  for (double v : {60, 70, 80, 90}) four.push_back({j++, 0, 0, v});
  auto r5 = Tabulate(OneDimension(v1::AGGREGATION_TRIMMED_MEAN, {{"e1", "c1", "甲"}}, five));
  EXPECT_DOUBLE_EQ(r5[0].total(), 80);  // (70 + 80 + 90) / 3
  five[4].value = 64;                   // 60, 64, 70, 80, 90 → (64 + 70 + 80) / 3
  EXPECT_NEAR(
      Tabulate(OneDimension(v1::AGGREGATION_TRIMMED_MEAN, {{"e1", "c1", "甲"}}, five))[0].total(),
      71.333333, 1e-6);
  auto r4 = Tabulate(OneDimension(v1::AGGREGATION_TRIMMED_MEAN, {{"e1", "c1", "甲"}}, four));
  EXPECT_DOUBLE_EQ(r4[0].total(), 75);  // fewer than 5 judges: the plain mean
}

TEST(Tabulation, ZScoresMakeStrictAndLenientJudgesComparable) {
  // Judge A is strict (60, 70), judge B lenient (80, 90): both rank e2 first
  // by one standard deviation.
  auto r = Tabulate(OneDimension(v1::AGGREGATION_Z_SCORE, {{"e1", "c1", "甲"}, {"e2", "c2", "乙"}},
                                 {{1, 0, 0, 60}, {1, 1, 0, 70}, {2, 0, 0, 80}, {2, 1, 0, 90}}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].entry_id(), "e2");
  EXPECT_DOUBLE_EQ(r[0].total(), 1);
  EXPECT_DOUBLE_EQ(r[1].total(), -1);
  // A judge who gave one value only contributes 0.
  auto flat =
      Tabulate(OneDimension(v1::AGGREGATION_Z_SCORE, {{"e1", "c1", "甲"}, {"e2", "c2", "乙"}},
                            {{1, 0, 0, 70}, {1, 1, 0, 70}}));
  EXPECT_DOUBLE_EQ(flat[0].total(), 0);
}

TEST(Tabulation, WeightsTiesStarsAndAdvancement) {
  TabulationInput in;
  in.aggregation = v1::AGGREGATION_MEAN;
  in.rubric = {Dim("a", 2), Dim("b", 1)};
  in.entries = {{"e1", "c1", "甲"}, {"e2", "c2", "乙"}, {"e3", "c3", "丙"}, {"e4", "c4", "丁"}};
  in.scores = {{1, 0, 0, 40}, {1, 0, 1, 10},   // 90
               {1, 1, 0, 30}, {1, 1, 1, 30},   // 90
               {1, 2, 0, 35}, {1, 2, 1, 10}};  // 80; e4 has no scores: 0
  v1::StarBand gold, one;
  gold.set_stars(3);
  gold.set_top_share(0.25);
  one.set_stars(1);
  one.set_top_share(0.75);
  in.star_bands = {gold, one};
  in.advance_top_n = 2;
  auto r = Tabulate(in);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].entry_id(), "e1");
  EXPECT_EQ(r[1].entry_id(), "e2");
  EXPECT_EQ(r[0].rank(), 1);
  EXPECT_EQ(r[1].rank(), 1);  // equal totals share a rank
  EXPECT_EQ(r[2].rank(), 3);
  EXPECT_EQ(r[3].rank(), 4);
  EXPECT_EQ(r[0].stars(), 3);  // the top quarter: rank 1
  EXPECT_EQ(r[1].stars(), 3);
  EXPECT_EQ(r[2].stars(), 1);  // within the top three quarters
  EXPECT_EQ(r[3].stars(), 0);
  EXPECT_TRUE(r[1].advances());
  EXPECT_FALSE(r[2].advances());
  EXPECT_DOUBLE_EQ(r[3].total(), 0);
}

TEST(Tabulation, AdvancementPerPanel) {
  TabulationInput in = OneDimension(v1::AGGREGATION_MEAN,
                                    {{"e1", "c1", "甲", "A"},
                                     {"e2", "c2", "乙", "A"},
                                     {"e3", "c3", "丙", "B"},
                                     {"e4", "c4", "丁", "B"}},
                                    {{1, 0, 0, 90}, {1, 1, 0, 80}, {2, 2, 0, 70}, {2, 3, 0, 60}});
  in.advance_top_n = 1;
  auto whole = Tabulate(in);
  EXPECT_TRUE(whole[0].advances());   // e1 only
  EXPECT_FALSE(whole[2].advances());  // e3, rank 3
  EXPECT_EQ(whole[2].panel_rank(), 1);
  in.advance_by_panel = true;
  auto grouped = Tabulate(in);
  EXPECT_TRUE(grouped[0].advances());   // e1 tops panel A
  EXPECT_FALSE(grouped[1].advances());  // e2
  EXPECT_TRUE(grouped[2].advances());   // e3 tops panel B
  EXPECT_FALSE(grouped[3].advances());
}

TEST(Tabulation, ScoresOfNoListedEntryOrDimensionAreIgnored) {
  // Entry 1 and dimension 1 are not in the input (a withdrawn entry, a
  // sheet longer than the rubric): they change neither e1's mean nor a
  // judge's z-score statistics.
  for (v1::Aggregation agg : {v1::AGGREGATION_MEAN, v1::AGGREGATION_Z_SCORE}) {
    TabulationInput in = OneDimension(agg, {{"e1", "c1", "甲"}}, {{1, 0, 0, 60}, {2, 0, 0, 80}});
    const auto alone = Tabulate(in);
    in.scores.push_back({1, 1, 0, 100});
    in.scores.push_back({2, 0, 1, 5});
    const auto r = Tabulate(in);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].total(), alone[0].total()) << v1::Aggregation_Name(agg);
    EXPECT_EQ(Digest(r), Digest(alone));
  }
}

TEST(Digest, StableForTheSameResultsChangedByAnyScore) {
  TabulationInput in = OneDimension(v1::AGGREGATION_MEAN, {{"e1", "c1", "甲"}, {"e2", "c2", "乙"}},
                                    {{1, 0, 0, 60}, {1, 1, 0, 70}});
  const std::string d1 = Digest(Tabulate(in));
  EXPECT_EQ(d1, Digest(Tabulate(in)));
  EXPECT_EQ(d1.size(), 64u);
  in.scores[0].value = 60.5;
  EXPECT_NE(d1, Digest(Tabulate(in)));
  EXPECT_EQ(CanonicalEncoding(Tabulate(in)).substr(0, 20), "e2|c2|d=70.000000|70");
}

TEST(Rules, ScoresLieWithinTheDimensionsRange) {
  google::protobuf::RepeatedPtrField<v1::Dimension> rubric;
  *rubric.Add() = Dim("c", 1, 10);
  *rubric.Add() = Dim("d", 1, 30);
  v1::Score s;
  s.set_dimension("d");
  s.set_value(30);
  EXPECT_EQ(ValidateScore(s, rubric).value_or(-1), 1) << "the dimension's position in the rubric";
  s.set_value(30.5);
  EXPECT_EQ(FieldOf(ValidateScore(s, rubric).status()).value_or(""), "value");
  s.set_value(-1);
  EXPECT_FALSE(ValidateScore(s, rubric).ok());
  s.set_dimension("x");
  EXPECT_EQ(FieldOf(ValidateScore(s, rubric).status()).value_or(""), "dimension");
}

TEST(Rules, MaterialsAreChecked) {
  v1::WorkReport r;
  r.set_title("述职报告");
  auto* m = r.add_materials();
  m->set_kind(v1::MATERIAL_KIND_VIDEO);
  m->set_uri("https://files.example.gov.cn/v/1.mp4");
  m->set_media_type("video/mp4");
  m->set_byte_size(1 << 20);
  m->set_sha256(std::string(64, 'a'));
  EXPECT_TRUE(ValidateReport(r).ok());
  m->set_sha256(std::string(64, 'A'));
  EXPECT_EQ(FieldOf(ValidateReport(r)).value_or(""), "materials[0].sha256");
  m->set_sha256(std::string(64, 'a'));
  m->set_uri("ftp://x");
  EXPECT_EQ(FieldOf(ValidateReport(r)).value_or(""), "materials[0].uri");
}

}  // namespace
}  // namespace touyan::contest
