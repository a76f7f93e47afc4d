// Incentive's personal data: counselling notes readable by the city and the
// owner only, the personal-information export across every service, and
// departed cadres' names anonymised in every copy. Same binary as
// incentive_test.cc (its environment).
#include "tests/incentive/fixture.h"

namespace touyan::testing {
namespace {

TEST_F(IncentiveTest, CounsellingNotesAreReadOnlyByTheCityAndTheOwner) {
  const auto v = VillagesOf("150902003");
  const std::string cadre = MakeSecretary(9401, v[0]);
  iv1::RecordCareRequest care;
  care.set_request_id("care-counsel");
  care.mutable_record()->set_cadre_id(cadre);
  care.mutable_record()->set_kind(iv1::CARE_KIND_COUNSELLING);
  *care.mutable_record()->mutable_on() = Day(-3);
  care.mutable_record()->set_summary("心理疏导一次");
  care.mutable_record()->set_notes("家庭变故，情绪低落，建议每月跟进");
  iv1::CareRecord made;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care, &made).code,
            StatusCode::OK);
  EXPECT_EQ(made.owner(), "jining-op");
  EXPECT_EQ(made.notes(), care.record().notes());
  care.set_request_id("care-talk");
  care.mutable_record()->set_kind(iv1::CARE_KIND_TALK);
  care.mutable_record()->set_summary("谈心谈话");
  care.mutable_record()->set_notes("工作压力大");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).code, StatusCode::OK);

  auto notes_seen_by = [&](const std::string& token) {
    iv1::ListCareRequest list;
    list.set_cadre_id(cadre);
    iv1::ListCareResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCare, token, list, &resp).code,
              StatusCode::OK);
    std::vector<std::string> out;
    for (const auto& r : resp.records()) {
      out.push_back(absl::StrCat(iv1::CareKind_Name(r.kind()), ":", r.notes(),
                                 r.notes_hidden() ? ":hidden" : ""));
    }
    return out;
  };
  const std::vector<std::string> full = {"CARE_KIND_COUNSELLING:家庭变故，情绪低落，建议每月跟进",
                                         "CARE_KIND_TALK:工作压力大"};
  const std::vector<std::string> hidden = {"CARE_KIND_COUNSELLING::hidden",
                                           "CARE_KIND_TALK:工作压力大"};
  EXPECT_EQ(notes_seen_by(city_), full);
  EXPECT_EQ(notes_seen_by(jining_), full);  // the owner
  EXPECT_EQ(notes_seen_by(auditor_), hidden);
  EXPECT_EQ(notes_seen_by(Incentive()->Token(Role::kCountyOperator, "150902000000", "another-op")),
            hidden);
  // GetCareRecord applies the same rule, and an unmasked read is recorded.
  auto note_by_id = [&](const std::string& token) {
    iv1::CareRecord r;
    EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetCareRecord, token, made.id(), &r).code,
              StatusCode::OK);
    return absl::StrCat(r.notes(), r.notes_hidden() ? ":hidden" : "");
  };
  const int64_t accesses_before = Incentive()->Count(
      "SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" + made.id() + "'");
  EXPECT_EQ(note_by_id(city_), "家庭变故，情绪低落，建议每月跟进");
  EXPECT_EQ(note_by_id(auditor_), ":hidden");
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" +
                               made.id() + "'"),
            accesses_before + 1);
  EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetCareRecord, siziwang_, made.id()).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetCareRecord, jining_, "150902-999999").code,
            StatusCode::NOT_FOUND);
  // At rest the counselling note is sealed: neither its record, nor the
  // answer stored for retries, nor the audit trail holds it in plaintext.
  for (const char* table : {"records", "idempotency", "audit_log"}) {
    EXPECT_EQ(
        Incentive()->Count(absl::StrCat("SELECT count(*) FROM incentive.", table,
                                        " x WHERE x::text LIKE '%家庭变故%' OR x::text LIKE '%",
                                        absl::BytesToHexString("家庭变故"), "%'")),
        0)
        << table;
  }
  EXPECT_EQ(Incentive()->Count(
                "SELECT count(*) FROM incentive.records WHERE restricted_sealed IS NOT NULL"),
            1);
  // Each read of the counselling notes is recorded (the city's and the
  // owner's lists, the city's Get); reads that hid them are not.
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" +
                               made.id() + "' AND fields = 'notes'"),
            3);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" +
                               made.id() + "' AND subject IN ('auditor', 'another-op')"),
            0);
  iv1::ListCareRequest other;
  other.set_region_code("150902000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCare, siziwang_, other).code,
            StatusCode::PERMISSION_DENIED);
  // Bad input names the field and writes nothing.
  const int64_t records = Incentive()->Count("SELECT count(*) FROM incentive.records");
  care.set_request_id("care-bad");
  care.mutable_record()->set_summary(std::string("坏\0字", 7));
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).field, "record.summary");
  care.mutable_record()->set_summary("ok");
  care.mutable_record()->set_aid_fen(-1);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).field, "record.aid_fen");
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records"), records);
}

TEST_F(IncentiveTest, APersonalInformationRequestGathersEveryServiceInOneCall) {
  const auto v = VillagesOf("150902007");
  pv1::Cadre person = NewCadre(9801, v[0]);
  person.set_phone("13904710001");
  const std::string cadre = MakeSecretary(person, v[0], pv1::POSITION_KIND_BRANCH_SECRETARY);
  iv1::RecordCareRequest care;
  care.set_request_id("care-export");
  care.mutable_record()->set_cadre_id(cadre);
  care.mutable_record()->set_kind(iv1::CARE_KIND_COUNSELLING);
  *care.mutable_record()->mutable_on() = Day(-2);
  care.mutable_record()->set_summary("心理疏导");
  care.mutable_record()->set_notes("夜不能寐，需要陪伴");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).code, StatusCode::OK);

  auto privacy = privacy::v1::PrivacyService::NewStub(Incentive()->channel());
  auto export_as = [&](const std::string& token, const std::string& id,
                       privacy::v1::PersonalDataExport* out) {
    privacy::v1::ExportPersonalDataRequest req;
    req.set_cadre_id(id);
    return privacy->ExportPersonalData(WithToken(token).get(), req, out);
  };
  privacy::v1::PersonalDataExport out;
  grpc::Status s = export_as(jining_, cadre, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.cadre_id(), cadre);
  std::map<std::string, std::string> sections;
  for (const auto& x : out.sections()) sections[x.service() + "/" + x.kind()] = x.json();
  // One call, every service: what each holds, opened.
  for (const char* kind :
       {"personnel/cadres", "personnel/positions", "personnel/seeds", "personnel/evaluations",
        "training/enrolments", "training/attendance", "contest/entries", "contest/results",
        "incentive/records", "incentive/assessments", "incentive/awards"}) {
    EXPECT_TRUE(sections.count(kind)) << kind;
  }
  const std::string& cadres = sections["personnel/cadres"];
  EXPECT_NE(cadres.find(person.resident_id()), std::string::npos) << cadres;
  EXPECT_NE(cadres.find("13904710001"), std::string::npos) << cadres;
  EXPECT_NE(cadres.find(person.name()), std::string::npos);
  EXPECT_EQ(cadres.find("_sealed"), std::string::npos) << "sealed values are opened";
  EXPECT_EQ(cadres.find("resident_id_index"), std::string::npos) << "blind indexes are left out";
  EXPECT_NE(sections["personnel/positions"].find("\"kind\":1"), std::string::npos)
      << sections["personnel/positions"];
  EXPECT_NE(sections["incentive/records"].find("夜不能寐，需要陪伴"), std::string::npos)
      << sections["incentive/records"];
  // Recorded as reads of the person's data, by each service that answered.
  EXPECT_EQ(
      Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'cadres/" +
                         cadre + "' AND fields = 'export' AND subject = 'jining-op'"),
      1);
  EXPECT_EQ(
      Personnel()->Count("SELECT count(*) FROM personnel.access_log WHERE resource = 'cadres/" +
                         cadre + "' AND fields = 'export'"),
      1);
  // Who may ask, and about whom.
  EXPECT_EQ(OutcomeOf(export_as(auditor_, cadre, &out)).reason, "ROLE_NOT_ALLOWED");
  Outcome o = OutcomeOf(export_as(siziwang_, cadre, &out));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.field, "cadre_id");
  EXPECT_EQ(OutcomeOf(export_as(jining_, "150902-987654321", &out)).code, StatusCode::NOT_FOUND);
  o = OutcomeOf(export_as(jining_, "not-an-id", &out));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "cadre_id");
}

// A departed cadre's record anonymised by personnel leaves no copy of their
// name in the other services: each one's maintenance asks personnel which
// records were anonymised and replaces its copies (audited); a published
// round's digest still verifies.
TEST_F(IncentiveTest, ADepartedCadresNameLeavesTheCopiesEveryServiceKept) {
  const auto v = VillagesOf("150902008");
  ASSERT_GE(v.size(), 2u);
  const pv1::Cadre person = NewCadre(9901, v[0]);
  const std::string gone = MakeSecretary(person, v[0], pv1::POSITION_KIND_BRANCH_SECRETARY);
  const pv1::Cadre other = NewCadre(9902, v[1]);
  const std::string stays = MakeSecretary(other, v[1], pv1::POSITION_KIND_BRANCH_SECRETARY);

  // Training: both enrolled in a class.
  auto training = tv1::TrainingService::NewStub(Service("training")->channel());
  tv1::CreateClassRequest cc;
  cc.set_request_id("anon-class");
  tv1::TrainingClass& c = *cc.mutable_training_class();
  c.set_tier(tv1::TIER_COUNTY);
  c.set_region_code("150902000000");
  c.set_title("村党组织书记培训班");
  c.set_theme("基层治理");
  c.set_year(static_cast<int>(Today().year()));
  c.add_formats(tv1::FORMAT_LECTURE);
  c.set_venue("旗县委党校");
  c.set_venue_kind(tv1::VENUE_KIND_COUNTY_PARTY_SCHOOL);
  c.set_capacity(10);
  c.set_completion_min_percent(60);
  *c.add_segments()->mutable_start_date() = Day(-10);
  c.mutable_segments(0)->set_title("第1段");
  tv1::TrainingClass cls;
  grpc::Status s = training->CreateClass(WithToken(jining_).get(), cc, &cls);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const std::string& id : {gone, stays}) {
    tv1::EnrolRequest enrol;
    enrol.set_request_id("anon-enrol-" + id);
    enrol.set_class_id(cls.id());
    enrol.mutable_trainee()->set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
    enrol.mutable_trainee()->set_cadre_id(id);
    tv1::Enrolment e;
    s = training->Enrol(WithToken(jining_).get(), enrol, &e);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Contest: both entered on panel A; the departing cadre also judges panel B.
  cv1::Round round = NewRound(jining_, "anon", "150902");
  ASSERT_EQ(Advance(jining_, "anon-open", round, cv1::ROUND_STATE_OPEN).code, StatusCode::OK);
  std::vector<cv1::Entry> entries(2);
  ASSERT_EQ(Enter(jining_, "anon-e0", round, gone, &entries[0]).code, StatusCode::OK);
  ASSERT_EQ(Enter(jining_, "anon-e1", round, stays, &entries[1]).code, StatusCode::OK);
  for (const cv1::Entry& e : entries)
    ASSERT_EQ(Assign(jining_, "anon-p" + e.id(), e, "A").code, StatusCode::OK);
  cv1::Judge judge, cadre_judge;
  ASSERT_EQ(AddJudge(jining_, "anon-j", round, "评委甲", "A", &judge).code, StatusCode::OK);
  ASSERT_EQ(AddJudge(jining_, "anon-jc", round, person.name(), "B", &cadre_judge, "", gone).code,
            StatusCode::OK);
  ASSERT_EQ(Advance(jining_, "anon-judge", round, cv1::ROUND_STATE_JUDGING).code, StatusCode::OK);
  std::vector<cv1::Score> scores;
  for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"}) {
    scores.push_back(S(judge, entries[0], d, 90));
    scores.push_back(S(judge, entries[1], d, 80));
  }
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(jining_, "anon-scores", round, scores, &stored).ok());
  // A personal-data export lists the entrant's scores one per dimension, as
  // the API takes them (they are stored as one sheet per judge and entry).
  {
    auto privacy = privacy::v1::PrivacyService::NewStub(Incentive()->channel());
    privacy::v1::ExportPersonalDataRequest req;
    req.set_cadre_id(gone);
    privacy::v1::PersonalDataExport out;
    grpc::Status es = privacy->ExportPersonalData(WithToken(jining_).get(), req, &out);
    ASSERT_TRUE(es.ok()) << es.error_message();
    std::string json;
    for (const auto& x : out.sections()) {
      if (x.service() == "contest" && x.kind() == "scores") json = x.json();
    }
    for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"}) {
      EXPECT_NE(json.find(absl::StrCat("\"dimension\":\"", d, "\"")), std::string::npos) << json;
    }
    size_t nineties = 0;
    for (size_t at = 0; (at = json.find("\"value\":90", at)) != std::string::npos; ++at) ++nineties;
    EXPECT_EQ(nineties, 3u) << json;
    EXPECT_EQ(json.find("\"value\":80"), std::string::npos) << "only the entrant's: " << json;
  }
  ClosePublish(jining_, "anon", round);
  const cv1::Results published = Results(jining_, round);
  ASSERT_EQ(published.entries_size(), 2);

  // Incentive: a record of each.
  ASSERT_EQ(Input("anon-in-0", gone, iv1::INPUT_KIND_DAILY_MANAGEMENT, 80).code, StatusCode::OK);
  ASSERT_EQ(Input("anon-in-1", stays, iv1::INPUT_KIND_DAILY_MANAGEMENT, 85).code, StatusCode::OK);

  // Before: nothing to follow.
  for (const char* name : {"training", "contest", "incentive"}) {
    absl::StatusOr<int64_t> n = Service(name)->server().AnonymiseDeparted();
    ASSERT_TRUE(n.ok()) << name << ": " << n.status();
  }
  // The cadre's post ended in 2021: past the five years, personnel anonymises.
  pv1::ListPositionsRequest lp;
  lp.set_cadre_id(gone);
  pv1::ListPositionsResponse posts;
  ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), lp, &posts).ok());
  ASSERT_EQ(posts.positions_size(), 1);
  pv1::EndPositionRequest end;
  end.set_request_id("anon-end");
  end.set_id(posts.positions(0).id());
  *end.mutable_ended_on() = ToDate(absl::CivilDay(2021, 6, 30));
  end.set_reason(pv1::POSITION_END_REASON_TERM_END);
  pv1::Position ended;
  s = stub().EndPosition(WithToken(city_).get(), end, &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(*Personnel()->server().AnonymiseDeparted(), 1);
  pv1::Cadre after;
  ASSERT_TRUE(Get(city_, gone, &after).ok());
  ASSERT_TRUE(after.anonymised());

  // Each service follows: the enrolment; the entry, the judge and the
  // result; the record — 5 rows, and nothing the next time.
  std::map<std::string, int64_t> changed;
  for (const char* name : {"training", "contest", "incentive"}) {
    absl::StatusOr<int64_t> n = Service(name)->server().AnonymiseDeparted();
    ASSERT_TRUE(n.ok()) << name << ": " << n.status();
    changed[name] = *n;
    EXPECT_EQ(*Service(name)->server().AnonymiseDeparted(), 0) << name << ": once";
  }
  EXPECT_EQ(changed,
            (std::map<std::string, int64_t>{{"contest", 3}, {"incentive", 1}, {"training", 1}}));

  // Read back through each API: the name personnel's record keeps; the
  // other cadre's copies untouched.
  tv1::ListEnrolmentsRequest le;
  le.set_class_id(cls.id());
  tv1::ListEnrolmentsResponse enrolled;
  ASSERT_TRUE(training->ListEnrolments(WithToken(jining_).get(), le, &enrolled).ok());
  std::map<std::string, std::string> trainees;
  for (const auto& e : enrolled.enrolments()) trainees[e.trainee().cadre_id()] = e.trainee().name();
  EXPECT_EQ(trainees,
            (std::map<std::string, std::string>{{gone, after.name()}, {stays, other.name()}}));
  const cv1::Results now = Results(jining_, round);
  EXPECT_EQ(now.digest(), published.digest())
      << "the digest covers ids, scores and ranks, not names";
  std::map<std::string, std::string> ranked;
  for (const auto& r : now.entries()) ranked[r.cadre_id()] = r.cadre_name();
  EXPECT_EQ(ranked,
            (std::map<std::string, std::string>{{gone, after.name()}, {stays, other.name()}}));

  // What still holds the name: only the audit trail and the answers kept for
  // retries, which leave first (--audit-retention and
  // --idempotency-retention are shorter than --departed-retention).
  for (const std::string& table : TablesHolding(person.name())) {
    EXPECT_TRUE(absl::StrContains(table, ".audit_log") || absl::EndsWith(table, ".idempotency"))
        << table;
  }
  EXPECT_FALSE(TablesHolding(other.name()).empty());
  // Each service's change is in its audit trail.
  for (const char* name : {"training", "contest", "incentive"}) {
    EXPECT_GE(Service(name)->Count(
                  absl::StrCat("SELECT count(*) FROM ", name,
                               ".audit_log WHERE method = 'AnonymiseDeparted' AND subject = '",
                               name, "-maintenance'")),
              1)
        << name;
  }
}

}  // namespace
}  // namespace touyan::testing
