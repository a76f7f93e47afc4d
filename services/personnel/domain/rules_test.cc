#include "services/personnel/domain/rules.h"

#include "common/status/status.h"
#include "common/time/date.h"
#include "gtest/gtest.h"
#include "services/personnel/domain/resident_id.h"

namespace touyan::personnel {
namespace {

const absl::CivilDay kToday(2023, 6, 1);

v1::Cadre GoodCadre() {
  v1::Cadre c;
  c.set_region_code("150902001001");
  std::string first17 = "15090219850307124";
  c.set_resident_id(first17 + ResidentIdCheckChar(first17));
  c.set_name("金雪瑞");
  c.set_ethnicity("汉族");
  c.set_education(v1::EDUCATION_BACHELOR);
  c.set_establishment(v1::ESTABLISHMENT_STATUS_NONE);
  c.set_origin(v1::ORIGIN_LOCAL);
  c.set_phone("13912345678");
  return c;
}

TEST(RegionRulesTest, LevelsAndAncestorsFollowTheCode) {
  EXPECT_EQ(LevelOfCode("150900000000"), v1::REGION_LEVEL_CITY);
  EXPECT_EQ(LevelOfCode("150929000000"), v1::REGION_LEVEL_COUNTY);
  EXPECT_EQ(LevelOfCode("150929101000"), v1::REGION_LEVEL_TOWNSHIP);
  EXPECT_EQ(LevelOfCode("150929101201"), v1::REGION_LEVEL_VILLAGE);
  EXPECT_EQ(LevelOfCode("bad"), v1::REGION_LEVEL_UNSPECIFIED);
  EXPECT_EQ(AncestorCodes("150929101201"),
            (std::vector<std::string>{"150000000000", "150900000000", "150929000000",
                                      "150929101000", "150929101201"}));
}

TEST(RegionRulesTest, ImportedRegionsMustBeConsistent) {
  v1::Region r;
  r.set_code("150929101201");
  r.set_name("某村委会");
  r.set_level(v1::REGION_LEVEL_VILLAGE);
  r.set_parent_code("150929101000");
  EXPECT_TRUE(ValidateRegion(r).ok());
  r.set_level(v1::REGION_LEVEL_TOWNSHIP);
  EXPECT_EQ(FieldOf(ValidateRegion(r)).value_or(""), "level");
  r.set_level(v1::REGION_LEVEL_VILLAGE);
  r.set_parent_code("150902001000");
  EXPECT_EQ(FieldOf(ValidateRegion(r)).value_or(""), "parent_code");
  r.set_parent_code("150929101000");
  r.set_name("");
  EXPECT_EQ(FieldOf(ValidateRegion(r)).value_or(""), "name");
}

TEST(RegionRulesTest, VillagesGetTheirBranchName) {
  v1::Region v;
  v.set_code("150902001001");
  v.set_name("霸王河村村委会");
  EXPECT_EQ(VillageOrgFor(v).name(), "霸王河村党支部");
  EXPECT_EQ(VillageOrgFor(v).kind(), v1::PARTY_ORG_KIND_VILLAGE);
  v.set_name("恩和路社区居委会");
  EXPECT_EQ(VillageOrgFor(v).name(), "恩和路社区党支部");
  EXPECT_EQ(VillageOrgFor(v).kind(), v1::PARTY_ORG_KIND_COMMUNITY);
  v.set_name("小庙子嘎查委员会");
  EXPECT_EQ(VillageOrgFor(v).name(), "小庙子嘎查党支部");
}

TEST(CadreRulesTest, NormalisationDerivesBirthDateAndGender) {
  v1::Cadre c = GoodCadre();
  ASSERT_TRUE(NormalizeCadre(c, kToday).ok());
  EXPECT_EQ(c.birth_date().year(), 1985);
  EXPECT_EQ(c.gender(), v1::GENDER_FEMALE);  // 17th digit 4 is even
}

TEST(CadreRulesTest, EachBadFieldIsNamed) {
  auto field_of = [](v1::Cadre c) { return FieldOf(NormalizeCadre(c, kToday)).value_or("(ok)"); };
  v1::Cadre c = GoodCadre();
  c.set_gender(v1::GENDER_MALE);
  EXPECT_EQ(field_of(c), "gender");
  c = GoodCadre();
  *c.mutable_birth_date() = ToDate(absl::CivilDay(1985, 3, 8));
  EXPECT_EQ(field_of(c), "birth_date");
  c = GoodCadre();
  c.set_name(std::string("a\0b", 3));
  EXPECT_EQ(field_of(c), "name");
  c.set_name("\xff\xfe");
  EXPECT_EQ(field_of(c), "name");
  c.set_name(std::string(51, 'a'));
  EXPECT_EQ(field_of(c), "name");
  c = GoodCadre();
  c.set_ethnicity("火星族");
  EXPECT_EQ(field_of(c), "ethnicity");
  c = GoodCadre();
  c.set_phone("12345");
  EXPECT_EQ(field_of(c), "phone");
  c.set_phone("0474-8212345");
  EXPECT_EQ(field_of(c), "(ok)");
  c = GoodCadre();
  c.set_education(v1::EDUCATION_UNSPECIFIED);
  EXPECT_EQ(field_of(c), "education");
  c = GoodCadre();
  c.set_origin(static_cast<v1::Origin>(99));
  EXPECT_EQ(field_of(c), "origin");
  c = GoodCadre();
  c.set_region_code("150900000000");
  EXPECT_EQ(field_of(c), "region_code");
}

TEST(CadreRulesTest, PatchesTouchOnlyMaskedMutableFields) {
  v1::Cadre current = GoodCadre();
  current.set_county_code("150902");
  v1::Cadre patch;
  patch.set_name("新名字");
  patch.set_phone("13800000000");
  ASSERT_TRUE(ApplyCadrePatch(patch, {"name"}, current).ok());
  EXPECT_EQ(current.name(), "新名字");
  EXPECT_EQ(current.phone(), "13912345678");
  EXPECT_EQ(FieldOf(ApplyCadrePatch(patch, {"resident_id"}, current)).value_or(""), "update_mask");
  EXPECT_EQ(FieldOf(ApplyCadrePatch(patch, {}, current)).value_or(""), "update_mask");
  patch.set_region_code("150929101201");
  EXPECT_EQ(ReasonOf(ApplyCadrePatch(patch, {"region_code"}, current)), "CROSS_COUNTY_MOVE");
}

v1::Position Secretary() {
  v1::Position p;
  p.set_kind(v1::POSITION_KIND_BRANCH_SECRETARY);
  *p.mutable_term_start() = ToDate(absl::CivilDay(2021, 1, 1));
  return p;
}

TEST(PositionRulesTest, OneSecretaryAndOneDirectorPerOrganisation) {
  const absl::CivilDay birth(1980, 1, 1);
  auto check = [&](v1::PositionKind kind, std::vector<CurrentPost> current,
                   v1::PartyOrgKind org = v1::PARTY_ORG_KIND_VILLAGE) {
    v1::Position p = Secretary();
    p.set_kind(kind);
    return ReasonOf(ValidatePosition(p, org, 7, birth, current, kToday));
  };
  EXPECT_EQ(check(v1::POSITION_KIND_BRANCH_SECRETARY, {}), "OK");
  EXPECT_EQ(check(v1::POSITION_KIND_BRANCH_SECRETARY, {{v1::POSITION_KIND_BRANCH_SECRETARY, 8}}),
            "ORG_HAS_SECRETARY");
  EXPECT_EQ(check(v1::POSITION_KIND_BRANCH_SECRETARY, {{v1::POSITION_KIND_DUAL_ROLE, 8}}),
            "ORG_HAS_SECRETARY");
  EXPECT_EQ(check(v1::POSITION_KIND_COMMITTEE_DIRECTOR, {{v1::POSITION_KIND_BRANCH_SECRETARY, 8}}),
            "OK");
  EXPECT_EQ(check(v1::POSITION_KIND_DUAL_ROLE, {{v1::POSITION_KIND_COMMITTEE_DIRECTOR, 8}}),
            "ORG_HAS_DIRECTOR");
  EXPECT_EQ(check(v1::POSITION_KIND_COMMITTEE_DIRECTOR, {{v1::POSITION_KIND_BRANCH_SECRETARY, 7}}),
            "CADRE_ALREADY_HOLDS_POST");
  EXPECT_EQ(check(v1::POSITION_KIND_DUAL_ROLE, {}, v1::PARTY_ORG_KIND_ENTERPRISE),
            "DIRECTOR_NEEDS_VILLAGE");
  EXPECT_EQ(check(v1::POSITION_KIND_BRANCH_SECRETARY, {}, v1::PARTY_ORG_KIND_ENTERPRISE), "OK");
  // Committee members: any number, in villages only.
  EXPECT_EQ(check(v1::POSITION_KIND_COMMITTEE_MEMBER,
                  {{v1::POSITION_KIND_DUAL_ROLE, 8}, {v1::POSITION_KIND_COMMITTEE_MEMBER, 9}}),
            "OK");
  EXPECT_EQ(check(v1::POSITION_KIND_COMMITTEE_MEMBER, {}, v1::PARTY_ORG_KIND_SCHOOL),
            "DIRECTOR_NEEDS_VILLAGE");
}

TEST(PositionRulesTest, TermsAndAgeAreChecked) {
  v1::Position p = Secretary();
  EXPECT_EQ(ReasonOf(ValidatePosition(p, v1::PARTY_ORG_KIND_VILLAGE, 1, absl::CivilDay(2005, 1, 2),
                                      {}, kToday)),
            "TOO_YOUNG");
  *p.mutable_term_end() = ToDate(absl::CivilDay(2020, 1, 1));
  EXPECT_EQ(FieldOf(ValidatePosition(p, v1::PARTY_ORG_KIND_VILLAGE, 1, absl::CivilDay(1980, 1, 1),
                                     {}, kToday))
                .value_or(""),
            "position.term_end");
  p.clear_term_start();
  EXPECT_EQ(FieldOf(ValidatePosition(p, v1::PARTY_ORG_KIND_VILLAGE, 1, absl::CivilDay(1980, 1, 1),
                                     {}, kToday))
                .value_or(""),
            "position.term_start");
  EXPECT_EQ(KindsHolding(v1::POSITION_KIND_BRANCH_SECRETARY), (std::vector<int>{1, 3}));
}

}  // namespace
}  // namespace touyan::personnel
