// Personal data at rest (resident IDs and phone numbers sealed, looked up by
// blind index, keys rotated) and one person one record across the
// deployment (refusal naming the county, transfers keeping the history).
#include "tests/personnel/fixture.h"
#include "tests/support/temp_file.h"
#include "touyan/privacy/v1/privacy.grpc.pb.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_sealed"));

using grpc::StatusCode;

class SealedTest : public PersonnelTest {
 protected:
  grpc::Status Transfer(const std::string& token, const std::string& request_id,
                        const std::string& cadre_id, const std::string& village, pv1::Cadre* out) {
    pv1::TransferCadreRequest req;
    req.set_request_id(request_id);
    req.set_cadre_id(cadre_id);
    req.set_region_code(village);
    return stub().TransferCadre(WithToken(token).get(), req, out);
  }

  // The id of the data key a cadre's `column` is sealed under.
  std::string Header(const std::string& column, const std::string& cadre_id) {
    ResourceId id = *ResourceId::Parse("", cadre_id);
    auto admin = svc().Admin();
    pqxx::nontransaction n(*admin);
    return n
        .exec_params("SELECT encode(substring(" + column +
                         " from 3 for 2), 'escape') FROM "
                         "personnel.cadres WHERE county_code = $1 AND id = $2",
                     id.county_code, id.number)[0][0]
        .as<std::string>();
  }
};

TEST_F(SealedTest, NoResidentIdOrPhoneNumberIsStoredInPlaintext) {
  pv1::Cadre c = NewCadre(91001);
  c.set_phone("13904715566");
  pv1::Cadre created;
  ASSERT_TRUE(Create(city_, "sealed-1", c, &created).ok());
  // A seed and a returnee hold a person too.
  pv1::Cadre seed_person = NewCadre(91002);
  seed_person.set_phone("13904717788");
  pv1::NominateSeedRequest nominate;
  nominate.set_request_id("sealed-seed-1");
  *nominate.mutable_seed()->mutable_person() = seed_person;
  pv1::Seed seed;
  grpc::Status s = stub().NominateSeed(WithToken(jining_).get(), nominate, &seed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  pv1::Cadre returnee_person = NewCadre(91003);
  returnee_person.set_phone("13904719900");
  returnee_person.set_origin(pv1::ORIGIN_COLLEGE_GRADUATE);
  pv1::CreateReturneeRequest returnee_req;
  returnee_req.set_request_id("sealed-returnee-1");
  *returnee_req.mutable_returnee()->mutable_person() = returnee_person;
  pv1::Returnee returnee;
  s = stub().CreateReturnee(WithToken(jining_).get(), returnee_req, &returnee);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Through the API, as before.
  pv1::Cadre got;
  ASSERT_TRUE(Get(city_, created.id(), &got).ok());
  EXPECT_EQ(got.resident_id(), c.resident_id());
  EXPECT_EQ(got.phone(), "13904715566");
  EXPECT_EQ(seed.person().resident_id(), seed_person.resident_id());
  EXPECT_EQ(seed.person().phone(), "13904717788");
  EXPECT_EQ(returnee.person().phone(), "13904719900");

  // In the database: no table holds them (cadres, seeds, returnees, the
  // answers stored for retries, the audit trail, anything else).
  for (const std::string& secret :
       {c.resident_id(), std::string("13904715566"), seed_person.resident_id(),
        std::string("13904717788"), returnee_person.resident_id(), std::string("13904719900")}) {
    EXPECT_EQ(TablesHolding(secret), std::vector<std::string>{}) << secret;
  }
  // …while what is not sealed is there: the check can find things.
  EXPECT_FALSE(TablesHolding(c.name()).empty());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE resident_id IS NOT NULL OR "
                        "phone IS NOT NULL"),
            0);
}

TEST_F(SealedTest, ARotationKeepsEveryRowReadableAndReseatsOldOnesUnderTheNewKey) {
  pv1::Cadre c = NewCadre(92001);
  c.set_phone("13904711122");
  pv1::Cadre a;
  ASSERT_TRUE(Create(city_, "rotate-a", c, &a).ok());
  EXPECT_EQ(Header("resident_id_sealed", a.id()), "t1");
  // A copy of the row's values as the old key sealed them.
  const ResourceId aid = *ResourceId::Parse("", a.id());
  auto admin = svc().Admin();
  const std::string where =
      absl::StrCat(" WHERE county_code = '", aid.county_code, "' AND id = ", aid.number);
  const pqxx::row old = pqxx::nontransaction(*admin).exec1(
      "SELECT encode(resident_id_sealed, 'hex'), encode(phone_sealed, 'hex') FROM "
      "personnel.cadres" +
      where);

  // The new key: current for new writes; the old one stays in the ring.
  TempFile rotated("touyan-test-rotated-keys");
  ASSERT_TRUE(rotated.Write(DataKeysText({{"t1", '1'}, {"t2", '2'}}, "t2")));
  svc().UseDataKeys(rotated.path());
  svc().Restart();
  EXPECT_EQ(Header("resident_id_sealed", a.id()), "t2") << "re-sealed at start";

  // A row the re-sealing has not reached yet (its old values put back): it
  // still opens, its person is still found by the blind index, and a retry
  // of its creation (an answer stored under the old key) still answers.
  pqxx::nontransaction(*admin).exec(
      "UPDATE personnel.cadres SET resident_id_sealed = decode('" + old[0].as<std::string>() +
      "', 'hex'), phone_sealed = decode('" + old[1].as<std::string>() + "', 'hex')" + where);
  EXPECT_EQ(Header("resident_id_sealed", a.id()), "t1");
  pv1::Cadre got;
  ASSERT_TRUE(Get(city_, a.id(), &got).ok());
  EXPECT_EQ(got.resident_id(), c.resident_id());
  EXPECT_EQ(got.phone(), "13904711122");
  pv1::Cadre again;
  EXPECT_EQ(OutcomeOf(Create(city_, "rotate-a-again", c, &again)).reason, "ALREADY_REGISTERED");
  ASSERT_TRUE(Create(city_, "rotate-a", c, &again).ok());
  EXPECT_EQ(again.id(), a.id());
  pv1::Cadre b;
  ASSERT_TRUE(Create(city_, "rotate-b", NewCadre(92002), &b).ok());
  EXPECT_EQ(Header("resident_id_sealed", b.id()), "t2");

  // The background re-sealing takes the old row under the new key.
  absl::StatusOr<int64_t> n = svc().server().ResealData();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GE(*n, 1);
  EXPECT_EQ(Header("resident_id_sealed", a.id()), "t2");
  EXPECT_EQ(Header("phone_sealed", a.id()), "t2");
  EXPECT_EQ(*svc().server().ResealData(), 0) << "nothing left";
  ASSERT_TRUE(Get(city_, a.id(), &got).ok());
  EXPECT_EQ(got.phone(), "13904711122");

  // A value changed in the database does not open: DATA_LOSS, no value shown.
  pqxx::nontransaction(*admin).exec(
      "UPDATE personnel.cadres SET phone_sealed = set_byte(phone_sealed, 20, "
      "get_byte(phone_sealed, 20) # 1)" +
      where);
  grpc::Status s = Get(city_, a.id(), &got);
  EXPECT_EQ(s.error_code(), StatusCode::DATA_LOSS) << s.error_message();
  EXPECT_EQ(s.error_message().find("1390471"), std::string::npos);
  svc().UseDataKeys(TestDataKeysFile());
}

TEST_F(SealedTest, OnePersonHasOneRecordInTheWholeDeployment) {
  pv1::Cadre c = NewCadre(93001, "150902001001");
  pv1::Cadre first;
  ASSERT_TRUE(Create(city_, "one-1", c, &first).ok());
  // The same resident ID in another county (四子王旗): refused, naming the county.
  pv1::Cadre elsewhere = c;
  elsewhere.set_region_code(VillagesOf("150929")[0]);
  pv1::Cadre out;
  grpc::Status s = Create(city_, "one-2", elsewhere, &out);
  Outcome o = OutcomeOf(s);
  EXPECT_EQ(o.code, StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(o.reason, "ALREADY_REGISTERED");
  EXPECT_EQ(o.field, "cadre.resident_id");
  EXPECT_NE(s.error_message().find("150902"), std::string::npos) << s.error_message();
  EXPECT_EQ(s.error_message().find(c.name()), std::string::npos)
      << "names the county, not the person";
  // Even a county that cannot see 集宁区's rows learns where the person is.
  s = Create(siziwang_, "one-3", elsewhere, &out);
  EXPECT_EQ(OutcomeOf(s).reason, "ALREADY_REGISTERED");
  EXPECT_NE(s.error_message().find("150902"), std::string::npos) << s.error_message();
  // A bulk import too: the row is reported with the county.
  auto r = ctl::ImportCadres(stub(), city_, "one-import",
                             {elsewhere, NewCadre(93002, VillagesOf("150929")[1])}, 10);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_imported(), 1);
  ASSERT_EQ(r->errors_size(), 1);
  EXPECT_EQ(r->errors(0).row(), 1);
  EXPECT_EQ(r->errors(0).reason(), "ALREADY_REGISTERED");
  EXPECT_NE(r->errors(0).message().find("150902"), std::string::npos);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE resident_id_index = " +
                        ResidentIndexSql(c.resident_id())),
            1);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.people WHERE resident_id_index = " +
                        ResidentIndexSql(c.resident_id())),
            1);
}

TEST_F(SealedTest, ATransferMovesThePersonAndKeepsTheirHistory) {
  const std::string from_village = VillagesOf("150902")[3];
  const std::string to_village = VillagesOf("150929")[2];
  pv1::Cadre c = NewCadre(94001, from_village);
  const std::string old_id = MakeSecretary(c, from_village, pv1::POSITION_KIND_BRANCH_SECRETARY);

  pv1::Cadre moved;
  // A county cannot move a person into another county's register.
  Outcome o = OutcomeOf(Transfer(jining_, "move-1", old_id, to_village, &moved));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.field, "region_code");
  o = OutcomeOf(Transfer(city_, "move-0", old_id, VillagesOf("150902")[4], &moved));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.reason, "SAME_COUNTY");
  o = OutcomeOf(Transfer(city_, "move-x", old_id, "150929", &moved));
  EXPECT_EQ(o.field, "region_code");

  grpc::Status s = Transfer(city_, "move-2", old_id, to_village, &moved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(moved.county_code(), "150929");
  EXPECT_EQ(moved.region_code(), to_village);
  EXPECT_EQ(moved.transferred_from(), old_id);
  EXPECT_EQ(moved.resident_id(), c.resident_id());
  EXPECT_EQ(moved.name(), c.name());
  // A retry answers the same; nothing moves twice.
  pv1::Cadre retry;
  ASSERT_TRUE(Transfer(city_, "move-2", old_id, to_village, &retry).ok());
  EXPECT_EQ(retry.id(), moved.id());

  // The old record stays, with its history, pointing to the new one; its
  // post ended; it can no longer be changed or moved.
  pv1::Cadre old;
  ASSERT_TRUE(Get(city_, old_id, &old).ok());
  EXPECT_EQ(old.transferred_to(), moved.id());
  EXPECT_EQ(old.current_positions_size(), 0);
  pv1::ListPositionsRequest lp;
  lp.set_cadre_id(old_id);
  pv1::ListPositionsResponse positions;
  ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), lp, &positions).ok());
  ASSERT_EQ(positions.positions_size(), 1);
  EXPECT_TRUE(positions.positions(0).has_ended_on());
  EXPECT_EQ(positions.positions(0).end_reason(), pv1::POSITION_END_REASON_ADJUSTMENT);
  pv1::UpdateCadreRequest update;
  update.set_request_id("move-update");
  update.mutable_cadre()->set_id(old_id);
  update.mutable_cadre()->set_phone("13900000000");
  update.mutable_update_mask()->add_paths("phone");
  EXPECT_EQ(OutcomeOf(stub().UpdateCadre(WithToken(city_).get(), update, &retry)).reason,
            "TRANSFERRED");
  EXPECT_EQ(OutcomeOf(Transfer(city_, "move-3", old_id, to_village, &retry)).reason, "TRANSFERRED");
  // The registry follows the person: registering them in the old county
  // again is refused, naming the new one.
  s = Create(city_, "move-again", c, &retry);
  EXPECT_EQ(OutcomeOf(s).reason, "ALREADY_REGISTERED");
  EXPECT_NE(s.error_message().find("150929"), std::string::npos) << s.error_message();
  // A personal-information request about either record finds both.
  auto privacy = privacy::v1::PrivacyService::NewStub(svc().channel());
  privacy::v1::ExportPersonalDataRequest ask;
  ask.set_cadre_id(moved.id());
  privacy::v1::PersonalDataExport exported;
  s = privacy->ExportPersonalData(WithToken(city_).get(), ask, &exported);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const auto& section : exported.sections()) {
    if (section.kind() == "cadres") {
      EXPECT_NE(
          section.json().find("\"id\":" + std::to_string(ResourceId::Parse("", old_id)->number)),
          std::string::npos);
      EXPECT_NE(section.json().find("\"id\":" +
                                    std::to_string(ResourceId::Parse("", moved.id())->number)),
                std::string::npos);
    }
    if (section.kind() == "positions")
      EXPECT_NE(section.json().find("transferred to"), std::string::npos);
  }
  // The new county sees its record, not the old county's history rows.
  ASSERT_TRUE(Get(siziwang_, moved.id(), &retry).ok());
  EXPECT_EQ(OutcomeOf(Get(siziwang_, old_id, &retry)).code, StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace touyan::testing

namespace touyan::testing {
namespace {

class DepartedTest : public SealedTest {
 protected:
  // Ends the cadre's only post on `year`-06-30.
  void EndPostIn(const std::string& cadre_id, int year) {
    pv1::ListPositionsRequest lp;
    lp.set_cadre_id(cadre_id);
    pv1::ListPositionsResponse positions;
    ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), lp, &positions).ok());
    ASSERT_EQ(positions.positions_size(), 1);
    pv1::EndPositionRequest end;
    end.set_request_id("end-" + cadre_id);
    end.set_id(positions.positions(0).id());
    end.mutable_ended_on()->set_year(year);
    end.mutable_ended_on()->set_month(6);
    end.mutable_ended_on()->set_day(30);
    end.set_reason(pv1::POSITION_END_REASON_TERM_END);
    pv1::Position ended;
    grpc::Status s = stub().EndPosition(WithToken(city_).get(), end, &ended);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  int64_t Listed(const std::string& village, pv1::Origin origin) {
    pv1::ListCadresRequest req;
    req.set_region_code(village);
    req.set_origin(origin);
    req.set_page_size(1000);
    pv1::ListCadresResponse resp;
    EXPECT_TRUE(stub().ListCadres(WithToken(city_).get(), req, &resp).ok());
    return resp.cadres_size();
  }
};

TEST_F(DepartedTest, ADepartedCadreIsAnonymisedAfterTheRetentionAndStillCounted) {
  const std::string village = VillagesOf("150902")[6];
  pv1::Cadre gone = NewCadre(95001, village);
  gone.set_phone("13904712233");
  const std::string gone_id = MakeSecretary(gone, village, pv1::POSITION_KIND_BRANCH_SECRETARY);
  EndPostIn(gone_id, 2021);  // more than five years ago
  const std::string other_village = VillagesOf("150902")[7];
  const std::string recent_id = MakeSecretary(NewCadre(95002, other_village), other_village,
                                              pv1::POSITION_KIND_BRANCH_SECRETARY);
  EndPostIn(recent_id, 2025);
  pv1::Cadre before;
  ASSERT_TRUE(Get(city_, gone_id, &before).ok());
  const int64_t listed = Listed(village, before.origin());

  absl::StatusOr<int64_t> n = svc().server().AnonymiseDeparted();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*svc().server().AnonymiseDeparted(), 0) << "once";

  pv1::Cadre after;
  ASSERT_TRUE(Get(city_, gone_id, &after).ok());
  EXPECT_TRUE(after.anonymised());
  EXPECT_NE(after.name(), gone.name());
  EXPECT_EQ(after.resident_id(), "");
  EXPECT_EQ(after.phone(), "");
  EXPECT_EQ(after.birth_date().year(), before.birth_date().year());
  EXPECT_EQ(after.birth_date().month(), 1);
  EXPECT_EQ(after.birth_date().day(), 1);
  // What statistics count is kept: still listed under the same filters.
  EXPECT_EQ(after.gender(), before.gender());
  EXPECT_EQ(after.education(), before.education());
  EXPECT_EQ(after.ethnicity(), before.ethnicity());
  EXPECT_EQ(Listed(village, before.origin()), listed);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.positions WHERE cadre_id = " +
                        std::to_string(ResourceId::Parse("", gone_id)->number)),
            1)
      << "the post stays, for the counts of posts and adjustments";
  // Nothing identifying is left: no sealed value, no index, no registry entry.
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE name = '" + gone.name() + "'"),
            0);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.people WHERE resident_id_index = " +
                        ResidentIndexSql(gone.resident_id())),
            0);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE id = " +
                        std::to_string(ResourceId::Parse("", gone_id)->number) +
                        " AND (resident_id_sealed IS NOT NULL OR phone_sealed IS NOT NULL OR "
                        "resident_id_index IS NOT NULL)"),
            0);
  // The one whose post ended recently is kept as it was.
  pv1::Cadre kept;
  ASSERT_TRUE(Get(city_, recent_id, &kept).ok());
  EXPECT_FALSE(kept.anonymised());
  EXPECT_FALSE(kept.resident_id().empty());
  // The anonymised record cannot be edited back into a person; the person
  // may be registered afresh.
  pv1::UpdateCadreRequest update;
  update.set_request_id("anon-update");
  update.mutable_cadre()->set_id(gone_id);
  update.mutable_cadre()->set_name("someone");
  update.mutable_update_mask()->add_paths("name");
  EXPECT_EQ(OutcomeOf(stub().UpdateCadre(WithToken(city_).get(), update, &kept)).reason,
            "ANONYMISED");
  pv1::Cadre again;
  grpc::Status s = Create(city_, "anon-again", gone, &again);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace touyan::testing
