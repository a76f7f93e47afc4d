// The personnel API's registry calls through real gRPC against real
// Postgres: regions, cadres, organisations and positions.
#include <thread>

#include "google/protobuf/util/message_differencer.h"
#include "tests/personnel/fixture.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_registry"));

using grpc::StatusCode;

// ------------------------------------------------------------------ regions

class RegionsTest : public PersonnelTest {
 protected:
  std::vector<pv1::Region> ListAll(pv1::ListRegionsRequest req, int page_size) {
    std::vector<pv1::Region> out;
    req.set_page_size(page_size);
    for (int pages = 0; pages < 100; ++pages) {
      pv1::ListRegionsResponse resp;
      grpc::Status s = stub().ListRegions(WithToken(auditor_).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (auto& r : resp.regions()) out.push_back(r);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }
};

TEST_F(RegionsTest, TheUlanqabTreeHasItsCountiesTownshipsAndVillages) {
  pv1::ListRegionsRequest req;
  req.set_parent_code("150900000000");
  EXPECT_EQ(ListAll(req, 100).size(), 11u) << "children of the city";
  req.set_level(pv1::REGION_LEVEL_TOWNSHIP);
  EXPECT_EQ(ListAll(req, 50).size(), 111u);
  req.set_level(pv1::REGION_LEVEL_VILLAGE);
  std::vector<pv1::Region> villages = ListAll(req, 400);
  EXPECT_EQ(villages.size(), 1518u);
  std::set<std::string> codes;
  for (const auto& v : villages) codes.insert(v.code());
  EXPECT_EQ(codes.size(), 1518u) << "each village exactly once across pages";
  req.set_parent_code("150929000000");
  req.set_level(pv1::REGION_LEVEL_TOWNSHIP);
  EXPECT_EQ(ListAll(req, 100).size(), 14u) << "四子王旗's townships";
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.party_orgs"), 1518)
      << "one Party organisation per village";
}

TEST_F(RegionsTest, GetAndAncestors) {
  pv1::GetRegionRequest get;
  get.set_code("150902001001");
  pv1::Region r;
  ASSERT_TRUE(stub().GetRegion(WithToken(siziwang_).get(), get, &r).ok());
  EXPECT_EQ(r.name(), "恩和路社区居委会");
  EXPECT_EQ(r.level(), pv1::REGION_LEVEL_VILLAGE);
  EXPECT_EQ(r.county_code(), "150902");
  EXPECT_EQ(r.parent_code(), "150902001000");

  pv1::GetRegionAncestorsRequest anc;
  anc.set_code("150902001001");
  pv1::GetRegionAncestorsResponse chain;
  ASSERT_TRUE(stub().GetRegionAncestors(WithToken(city_).get(), anc, &chain).ok());
  ASSERT_EQ(chain.regions_size(), 4);
  EXPECT_EQ(chain.regions(0).name(), "乌兰察布市");
  EXPECT_EQ(chain.regions(1).name(), "集宁区");
  EXPECT_EQ(chain.regions(2).name(), "新体路街道");

  get.set_code("150902001999");
  EXPECT_EQ(stub().GetRegion(WithToken(city_).get(), get, &r).error_code(), StatusCode::NOT_FOUND);
  get.set_code("15090200100x");
  Outcome o = OutcomeOf(stub().GetRegion(WithToken(city_).get(), get, &r));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "code");
  anc.set_code("150902001999");
  EXPECT_EQ(stub().GetRegionAncestors(WithToken(city_).get(), anc, &chain).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(RegionsTest, ReimportChangesNothingAndOnlyTheCityMayImport) {
  std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
  auto regions = ctl::ReadRegions(in);
  ASSERT_TRUE(regions.ok());
  auto again = ctl::ImportRegions(stub(), city_, "reimport-1", *regions);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->regions_upserted(), 1641);
  EXPECT_EQ(again->party_orgs_created(), 0);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.party_orgs"), 1518);

  auto county = ctl::ImportRegions(stub(), jining_, "reimport-2", *regions);
  EXPECT_EQ(county.status().code(), absl::StatusCode::kPermissionDenied);

  std::vector<pv1::Region> bad = {(*regions)[5]};
  bad[0].set_level(pv1::REGION_LEVEL_CITY);
  grpc::ClientContext ctx;
  ctl::Authorize(ctx, city_);
  pv1::ImportRegionsResponse resp;
  auto w = stub().ImportRegions(&ctx, &resp);
  pv1::ImportRegionsRequest msg;
  msg.set_request_id("reimport-3");
  *msg.add_regions() = bad[0];
  w->Write(msg);
  w->WritesDone();
  Outcome o = OutcomeOf(w->Finish());
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "regions[0].level");
}

// ------------------------------------------------------------------- cadres

TEST_F(PersonnelTest, CreateGetAndUpdateACadre) {
  pv1::Cadre in = NewCadre(1);
  in.clear_birth_date();
  in.clear_gender();
  pv1::Cadre created;
  grpc::Status s = Create(city_, "create-1", in, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.county_code(), "150902");
  EXPECT_TRUE(absl::StartsWith(created.id(), "150902-"));
  EXPECT_EQ(created.resident_id(), in.resident_id());
  EXPECT_EQ(created.birth_date().year(), 1960) << "derived from the resident ID";
  EXPECT_NE(created.gender(), pv1::GENDER_UNSPECIFIED);

  pv1::Cadre got;
  ASSERT_TRUE(Get(jining_, created.id(), &got).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, created));
  ASSERT_TRUE(Get(auditor_, created.id(), &got).ok());
  EXPECT_EQ(got.resident_id(),
            in.resident_id().substr(0, 6) + "********" + in.resident_id().substr(14))
      << "an auditor sees the ID masked";

  pv1::UpdateCadreRequest up;
  up.set_request_id("update-1");
  up.mutable_cadre()->set_id(created.id());
  up.mutable_cadre()->set_name("金雪瑞");
  up.mutable_cadre()->set_phone("0000");  // not in the mask: ignored
  up.mutable_update_mask()->add_paths("name");
  pv1::Cadre updated;
  s = stub().UpdateCadre(WithToken(jining_).get(), up, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.name(), "金雪瑞");
  EXPECT_EQ(updated.phone(), created.phone());
  ASSERT_TRUE(Get(city_, created.id(), &got).ok());
  EXPECT_EQ(got.name(), "金雪瑞");
  EXPECT_EQ(got.etag(), updated.etag());
  EXPECT_NE(updated.etag(), created.etag()) << "every change renews the etag";

  // An update made from the version read before that change: ABORTED, not
  // applied over it (AIP-154).
  up.set_request_id("update-stale");
  up.mutable_cadre()->set_name("金雪");
  up.mutable_cadre()->set_etag(created.etag());
  Outcome stale = OutcomeOf(stub().UpdateCadre(WithToken(jining_).get(), up, &updated));
  EXPECT_EQ(stale.code, StatusCode::ABORTED) << stale;
  EXPECT_EQ(stale.reason, "ETAG_MISMATCH");
  EXPECT_EQ(stale.field, "cadre.etag");
  ASSERT_TRUE(Get(city_, created.id(), &got).ok());
  EXPECT_EQ(got.name(), "金雪瑞");
  up.set_request_id("update-current");
  up.mutable_cadre()->set_etag(got.etag());
  ASSERT_TRUE(stub().UpdateCadre(WithToken(jining_).get(), up, &updated).ok());
  EXPECT_EQ(updated.name(), "金雪");
}

TEST_F(PersonnelTest, BadResidentIdsAreRefusedAndNothingIsWritten) {
  const int64_t cadres = svc().Count("SELECT count(*) FROM personnel.cadres");
  const int64_t audits = svc().Count("SELECT count(*) FROM personnel.audit_log");
  pv1::Cadre c = NewCadre(2);
  std::string good = c.resident_id();
  std::string checksum = good;
  checksum[17] = checksum[17] == '1' ? '2' : '1';
  std::string impossible = good.substr(0, 6) + "19850231" + good.substr(14, 3);
  impossible += personnel::ResidentIdCheckChar(impossible);
  int i = 0;
  for (const std::string& bad : {checksum, good.substr(0, 17), good + "0", impossible}) {
    c.set_resident_id(bad);
    c.clear_birth_date();
    c.clear_gender();
    pv1::Cadre out;
    Outcome o = OutcomeOf(Create(city_, "bad-id-" + std::to_string(i++), c, &out));
    EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(o.field, "cadre.resident_id") << bad;
  }
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), cadres);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log"), audits);
  EXPECT_EQ(
      svc().Count("SELECT count(*) FROM personnel.idempotency WHERE request_id LIKE 'bad-id-%'"),
      0);
}

TEST_F(PersonnelTest, UnknownAndMalformedRegions) {
  pv1::Cadre c = NewCadre(3, "150902001999");  // well-formed, not in the tree
  pv1::Cadre out;
  Outcome o = OutcomeOf(Create(city_, "region-1", c, &out));
  EXPECT_EQ(o.code, StatusCode::NOT_FOUND) << o;
  EXPECT_EQ(o.field, "cadre.region_code");
  c.set_region_code("15090200100");
  o = OutcomeOf(Create(city_, "region-2", c, &out));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT) << o;
  EXPECT_EQ(o.field, "cadre.region_code");
}

TEST_F(PersonnelTest, ARetryWithTheSameRequestIdReturnsTheFirstCadre) {
  pv1::Cadre c = NewCadre(4);
  pv1::Cadre first, second;
  ASSERT_TRUE(Create(city_, "retry-1", c, &first).ok());
  ASSERT_TRUE(Create(city_, "retry-1", c, &second).ok());
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE resident_id_index = " +
                        ResidentIndexSql(c.resident_id())),
            1);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE resource = 'cadres/" +
                        first.id() + "'"),
            1);

  // The same id for a different request is refused, naming request_id.
  pv1::Cadre other = NewCadre(5);
  Outcome o = OutcomeOf(Create(city_, "retry-1", other, &second));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "request_id");
  EXPECT_EQ(o.reason, "REQUEST_ID_REUSED");

  // A new request for the same person is a duplicate, not a retry.
  o = OutcomeOf(Create(city_, "retry-2", c, &second));
  EXPECT_EQ(o.code, StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(o.reason, "ALREADY_REGISTERED");

  o = OutcomeOf(Create(city_, "", c, &second));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "request_id");
}

TEST_F(PersonnelTest, ConcurrentRetriesApplyOnce) {
  pv1::Cadre c = NewCadre(6);
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      pv1::Cadre out;
      grpc::Status s = Create(city_, "concurrent-1", c, &out);
      ids[i] = s.ok() ? out.id() : "error: " + s.error_message();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE resident_id_index = " +
                        ResidentIndexSql(c.resident_id())),
            1);
}

TEST_F(PersonnelTest, UpdateRefusals) {
  pv1::Cadre created;
  ASSERT_TRUE(Create(city_, "upd-base", NewCadre(7), &created).ok());
  auto update = [&](const std::string& id, const std::string& path, pv1::Cadre patch) {
    pv1::UpdateCadreRequest up;
    up.set_request_id("upd-" + path + id);
    patch.set_id(id);
    *up.mutable_cadre() = patch;
    if (!path.empty()) up.mutable_update_mask()->add_paths(path);
    pv1::Cadre out;
    return OutcomeOf(stub().UpdateCadre(WithToken(city_).get(), up, &out));
  };
  pv1::Cadre patch;
  patch.set_resident_id("11010519491231002X");
  Outcome o = update(created.id(), "resident_id", patch);
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "update_mask");
  patch.set_phone("123");
  o = update(created.id(), "phone", patch);
  EXPECT_EQ(o.field, "cadre.phone") << o;
  o = update(created.id(), "", patch);
  EXPECT_EQ(o.field, "update_mask") << o;
  o = update("150902-999999999", "name", patch);
  EXPECT_EQ(o.code, StatusCode::NOT_FOUND) << o;
  o = update("not-an-id", "name", patch);
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "cadre.id");
  patch.set_region_code("150929101201");
  o = update(created.id(), "region_code", patch);
  EXPECT_EQ(o.reason, "CROSS_COUNTY_MOVE") << o;
}

// ------------------------------------------------- organisations, positions

class PositionsTest : public PersonnelTest {
 protected:
  Outcome Appoint(const std::string& rid, const std::string& cadre, const std::string& org,
                  pv1::PositionKind kind, pv1::Position* out = nullptr) {
    pv1::CreatePositionRequest req;
    req.set_request_id(rid);
    req.mutable_position()->set_cadre_id(cadre);
    req.mutable_position()->set_party_org_id(org);
    req.mutable_position()->set_kind(kind);
    req.mutable_position()->mutable_term_start()->set_year(2021);
    req.mutable_position()->mutable_term_start()->set_month(1);
    req.mutable_position()->mutable_term_start()->set_day(15);
    pv1::Position p;
    Outcome o = OutcomeOf(stub().CreatePosition(WithToken(siziwang_).get(), req, &p));
    if (out) *out = p;
    return o;
  }
};

TEST_F(PositionsTest, OneCurrentSecretaryPerOrganisation) {
  const std::string village = "150929101201";
  std::string org = OrgOf(village);
  pv1::Cadre a, b;
  ASSERT_TRUE(Create(siziwang_, "pos-a", NewCadre(20, village), &a).ok());
  ASSERT_TRUE(Create(siziwang_, "pos-b", NewCadre(21, village), &b).ok());

  pv1::Position p;
  Outcome o = Appoint("pos-1", a.id(), org, pv1::POSITION_KIND_BRANCH_SECRETARY, &p);
  ASSERT_EQ(o.code, StatusCode::OK) << o;
  EXPECT_EQ(p.party_org_id(), org);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE resource = 'positions/" +
                        p.id() + "' AND method = 'CreatePosition'"),
            1);
  o = Appoint("pos-2", b.id(), org, pv1::POSITION_KIND_BRANCH_SECRETARY);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(o.reason, "ORG_HAS_SECRETARY");
  o = Appoint("pos-3", b.id(), org, pv1::POSITION_KIND_DUAL_ROLE);
  EXPECT_EQ(o.reason, "ORG_HAS_SECRETARY") << "一肩挑 includes the secretary post";
  EXPECT_EQ(Appoint("pos-4", b.id(), org, pv1::POSITION_KIND_COMMITTEE_DIRECTOR).code,
            StatusCode::OK);
  EXPECT_EQ(Appoint("pos-5", a.id(), org, pv1::POSITION_KIND_COMMITTEE_DIRECTOR).reason,
            "CADRE_ALREADY_HOLDS_POST");

  pv1::Cadre got;
  ASSERT_TRUE(Get(siziwang_, a.id(), &got).ok());
  ASSERT_EQ(got.current_positions_size(), 1);
  EXPECT_EQ(got.current_positions(0), pv1::POSITION_KIND_BRANCH_SECRETARY);

  pv1::ListPositionsRequest lp;
  lp.set_party_org_id(org);
  pv1::ListPositionsResponse positions;
  ASSERT_TRUE(stub().ListPositions(WithToken(siziwang_).get(), lp, &positions).ok());
  EXPECT_EQ(positions.positions_size(), 2);

  // A township operator sees the positions of its township's organisations only.
  const std::string jishengtai = svc().Token(Role::kTownshipOperator, "150929101000", "jst-op");
  const std::string kulun = svc().Token(Role::kTownshipOperator, "150929102000", "klt-op");
  lp.clear_party_org_id();
  ASSERT_TRUE(stub().ListPositions(WithToken(jishengtai).get(), lp, &positions).ok());
  EXPECT_EQ(positions.positions_size(), 2);
  ASSERT_TRUE(stub().ListPositions(WithToken(kulun).get(), lp, &positions).ok());
  EXPECT_EQ(positions.positions_size(), 0);

  pv1::ListCadresRequest lc;
  lc.set_region_code(village);
  lc.set_position(pv1::POSITION_KIND_BRANCH_SECRETARY);
  pv1::ListCadresResponse secretaries;
  ASSERT_TRUE(stub().ListCadres(WithToken(siziwang_).get(), lc, &secretaries).ok());
  ASSERT_EQ(secretaries.cadres_size(), 1);
  EXPECT_EQ(secretaries.cadres(0).id(), a.id());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.positions WHERE ended_on IS NULL AND "
                        "party_org_id = " +
                        org.substr(7)),
            2);
}

TEST_F(PositionsTest, OrganisationsAndTheirRules) {
  pv1::CreatePartyOrgRequest req;
  req.set_request_id("org-1");
  req.mutable_party_org()->set_name("四子王旗某农牧业公司党支部");
  req.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
  req.mutable_party_org()->set_region_code("150929100000");
  pv1::PartyOrg firm;
  ASSERT_TRUE(stub().CreatePartyOrg(WithToken(siziwang_).get(), req, &firm).ok());
  EXPECT_EQ(firm.county_code(), "150929");

  pv1::Cadre c;
  ASSERT_TRUE(Create(siziwang_, "org-cadre", NewCadre(30, "150929100201"), &c).ok());
  EXPECT_EQ(Appoint("org-pos-1", c.id(), firm.id(), pv1::POSITION_KIND_DUAL_ROLE).reason,
            "DIRECTOR_NEEDS_VILLAGE");
  EXPECT_EQ(Appoint("org-pos-2", c.id(), firm.id(), pv1::POSITION_KIND_BRANCH_SECRETARY).code,
            StatusCode::OK);

  pv1::Cadre elsewhere;
  ASSERT_TRUE(Create(jining_, "org-cadre-2", NewCadre(31), &elsewhere).ok());
  Outcome o = Appoint("org-pos-3", elsewhere.id(), firm.id(), pv1::POSITION_KIND_BRANCH_SECRETARY);
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.reason, "CROSS_COUNTY");

  // A village already has its organisation; names and scope are checked.
  req.set_request_id("org-2");
  req.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_VILLAGE);
  req.mutable_party_org()->set_region_code("150929101201");
  pv1::PartyOrg out;
  EXPECT_EQ(OutcomeOf(stub().CreatePartyOrg(WithToken(siziwang_).get(), req, &out)).code,
            StatusCode::ALREADY_EXISTS);
  req.set_request_id("org-3");
  req.mutable_party_org()->set_name("");
  EXPECT_EQ(OutcomeOf(stub().CreatePartyOrg(WithToken(siziwang_).get(), req, &out)).field,
            "party_org.name");
  req.set_request_id("org-4");
  req.mutable_party_org()->set_name("某党支部");
  req.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_SCHOOL);
  req.mutable_party_org()->set_region_code("150902001000");
  EXPECT_EQ(OutcomeOf(stub().CreatePartyOrg(WithToken(siziwang_).get(), req, &out)).code,
            StatusCode::PERMISSION_DENIED);

  pv1::ListPartyOrgsRequest list;
  list.set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
  pv1::ListPartyOrgsResponse firms;
  ASSERT_TRUE(stub().ListPartyOrgs(WithToken(siziwang_).get(), list, &firms).ok());
  ASSERT_EQ(firms.party_orgs_size(), 1);
  EXPECT_EQ(firms.party_orgs(0).id(), firm.id());
  pv1::GetPartyOrgRequest get;
  get.set_id(firm.id());
  EXPECT_EQ(stub().GetPartyOrg(WithToken(jining_).get(), get, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().GetPartyOrg(WithToken(auditor_).get(), get, &out).ok());
  EXPECT_EQ(out.name(), firm.name());
}

TEST_F(PositionsTest, RenamingAnOrganisationCannotOverwriteAnotherOperatorsChange) {
  pv1::CreatePartyOrgRequest create;
  create.set_request_id("rename-org");
  create.mutable_party_org()->set_name("四子王旗某合作社党支部");
  create.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
  create.mutable_party_org()->set_region_code("150929100000");
  pv1::PartyOrg org;
  ASSERT_TRUE(stub().CreatePartyOrg(WithToken(siziwang_).get(), create, &org).ok());
  ASSERT_FALSE(org.etag().empty());

  // Two operators read the same version; the first rename wins, the second
  // is ABORTED naming the etag and changes nothing.
  auto rename = [&](const std::string& request_id, const std::string& name, const std::string& etag,
                    pv1::PartyOrg* out, const std::string& token) -> Outcome {
    pv1::UpdatePartyOrgRequest req;
    req.set_request_id(request_id);
    req.mutable_party_org()->set_id(org.id());
    req.mutable_party_org()->set_name(name);
    req.mutable_party_org()->set_etag(etag);
    req.mutable_update_mask()->add_paths("name");
    return OutcomeOf(stub().UpdatePartyOrg(WithToken(token).get(), req, out));
  };
  pv1::PartyOrg first, second;
  ASSERT_EQ(rename("rename-a", "四子王旗某牧民合作社党支部", org.etag(), &first, siziwang_).code,
            StatusCode::OK);
  EXPECT_EQ(first.name(), "四子王旗某牧民合作社党支部");
  EXPECT_NE(first.etag(), org.etag());
  Outcome lost = rename("rename-b", "四子王旗某联合社党支部", org.etag(), &second, siziwang_);
  EXPECT_EQ(lost.code, StatusCode::ABORTED) << lost;
  EXPECT_EQ(lost.reason, "ETAG_MISMATCH");
  EXPECT_EQ(lost.field, "party_org.etag");
  pv1::GetPartyOrgRequest get;
  get.set_id(org.id());
  pv1::PartyOrg now;
  ASSERT_TRUE(stub().GetPartyOrg(WithToken(auditor_).get(), get, &now).ok());
  EXPECT_EQ(now.name(), first.name());
  EXPECT_EQ(now.etag(), first.etag());

  // The retry of the first answers as the first did; the audit trail keeps
  // the old name.
  ASSERT_EQ(rename("rename-a", "四子王旗某牧民合作社党支部", org.etag(), &second, siziwang_).code,
            StatusCode::OK);
  EXPECT_EQ(second.etag(), first.etag());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE resource = 'party_orgs/" +
                        org.id() + "' AND before->>'name' = '四子王旗某合作社党支部'"),
            1);

  // Bad input names its field; another county is refused; no etag: applied
  // to whatever is current.
  EXPECT_EQ(rename("rename-c", "", "", &second, siziwang_).field, "party_org.name");
  pv1::UpdatePartyOrgRequest kind;
  kind.set_request_id("rename-d");
  kind.mutable_party_org()->set_id(org.id());
  kind.mutable_update_mask()->add_paths("kind");
  EXPECT_EQ(OutcomeOf(stub().UpdatePartyOrg(WithToken(siziwang_).get(), kind, &second)).field,
            "update_mask");
  EXPECT_EQ(rename("rename-e", "某党支部", "", &second, jining_).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(rename("rename-f", "四子王旗某联合社党支部", "", &second, siziwang_).code,
            StatusCode::OK);
  EXPECT_EQ(second.name(), "四子王旗某联合社党支部");
}

}  // namespace
}  // namespace touyan::testing
