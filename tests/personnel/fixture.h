// Shared by the personnel API tests: one personnel service per test binary,
// with the Ulanqab region tree imported, and tokens for the roles the tests
// act as.
#ifndef TOUYAN_TESTS_PERSONNEL_FIXTURE_H_
#define TOUYAN_TESTS_PERSONNEL_FIXTURE_H_

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids/resource_id.h"
#include "common/time/date.h"
#include "gtest/gtest.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/spec.h"
#include "tests/support/test_env.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/records.h"

namespace touyan::testing {

namespace pv1 = ::touyan::personnel::v1;
using auth::Role;

inline ServiceUnderTest*& Personnel() {
  static ServiceUnderTest* s = nullptr;
  return s;
}

// Registers the service for the binary: `db` must be unique per binary.
class PersonnelEnvironment : public ::testing::Environment {
 public:
  explicit PersonnelEnvironment(std::string db) : db_(std::move(db)) {}
  void SetUp() override {
    Personnel() = new ServiceUnderTest(personnel::PersonnelSpec(), db_);
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto regions = ctl::ReadRegions(in);
    ASSERT_TRUE(regions.ok()) << regions.status();
    auto stub = pv1::PersonnelService::NewStub(Personnel()->channel());
    auto r = ctl::ImportRegions(*stub, Personnel()->Token(Role::kCityOrgDept, "150900000000"),
                                "setup-regions", *regions);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  void TearDown() override {
    delete Personnel();
    Personnel() = nullptr;
  }

 private:
  std::string db_;
};

// The services started beside personnel in this binary, by name.
inline std::map<std::string, ServiceUnderTest*>& Services() {
  static std::map<std::string, ServiceUnderTest*> s;
  return s;
}
inline ServiceUnderTest* Service(const std::string& name) { return Services().at(name); }
// The service under test: the last one started.
inline ServiceUnderTest*& Caller() {
  static ServiceUnderTest* s = nullptr;
  return s;
}

// Services that call personnel (and each other), started after it in the
// same binary, each in the order given and told where the ones before it
// listen: personnel in database `db`_personnel, the last service in `db`,
// the others in `db`_<name>.
class CallerEnvironment : public PersonnelEnvironment {
 public:
  CallerEnvironment(ServiceSpec spec, std::string db)
      : CallerEnvironment(std::vector{std::move(spec)}, db) {}
  CallerEnvironment(std::vector<ServiceSpec> specs, std::string db)
      : PersonnelEnvironment(db + "_personnel"), specs_(std::move(specs)), db_(std::move(db)) {}
  void SetUp() override {
    PersonnelEnvironment::SetUp();
    std::map<std::string, std::string> running = {{"personnel", Personnel()->address()}};
    for (size_t i = 0; i < specs_.size(); ++i) {
      const ServiceSpec& spec = specs_[i];
      std::map<std::string, std::string> downstreams;
      for (const std::string& name : spec.calls) {
        if (running.count(name)) downstreams[name] = running[name];
      }
      const std::string db = i + 1 == specs_.size() ? db_ : db_ + "_" + spec.name;
      auto* svc = new ServiceUnderTest(spec, db, downstreams);
      Services()[spec.name] = svc;
      running[spec.name] = svc->address();
      Caller() = svc;
    }
  }
  void TearDown() override {
    for (auto it = specs_.rbegin(); it != specs_.rend(); ++it) {
      delete Services()[it->name];
      Services().erase(it->name);
    }
    Caller() = nullptr;
    PersonnelEnvironment::TearDown();
  }

 private:
  std::vector<ServiceSpec> specs_;
  std::string db_;
};

class PersonnelTest : public ::testing::Test {
 protected:
  ServiceUnderTest& svc() { return *Personnel(); }
  pv1::PersonnelService::Stub& stub() {
    if (!stub_) stub_ = pv1::PersonnelService::NewStub(svc().channel());
    return *stub_;
  }

  // A valid cadre numbered `n` (unique resident ID) in `village`.
  static pv1::Cadre NewCadre(int64_t n, const std::string& village = "150902001001") {
    return ctl::GenerateCadres(7, n, 1, {village})[0];
  }

  grpc::Status Create(const std::string& token, const std::string& request_id,
                      const pv1::Cadre& cadre, pv1::Cadre* out) {
    pv1::CreateCadreRequest req;
    req.set_request_id(request_id);
    *req.mutable_cadre() = cadre;
    return stub().CreateCadre(WithToken(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, pv1::Cadre* out) {
    pv1::GetCadreRequest req;
    req.set_id(id);
    return stub().GetCadre(WithToken(token).get(), req, out);
  }

  // The village codes below a region prefix, from the Ulanqab tree.
  static std::vector<std::string> VillagesOf(const std::string& prefix) {
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto regions = ctl::ReadRegions(in);
    std::vector<std::string> out;
    for (const auto& r : *regions) {
      if (r.level() == pv1::REGION_LEVEL_VILLAGE && absl::StartsWith(r.code(), prefix)) {
        out.push_back(r.code());
      }
    }
    return out;
  }

  // A cadre numbered `n` made current branch secretary of `village`'s
  // organisation (request ids derived from `n`).
  std::string MakeSecretary(int64_t n, const std::string& village) {
    return MakeSecretary(NewCadre(n, village), village, pv1::POSITION_KIND_BRANCH_SECRETARY);
  }
  // `cadre` registered and made secretary (`kind`) of `village`'s
  // organisation since 2021 (request ids derived from its resident ID).
  std::string MakeSecretary(const pv1::Cadre& cadre, const std::string& village,
                            pv1::PositionKind kind) {
    return MakeSecretaryOf(cadre, OrgOf(village), kind);
  }
  // The same for any organisation (`org_id`: a school's, an agency's, …).
  std::string MakeSecretaryOf(const pv1::Cadre& cadre, const std::string& org_id,
                              pv1::PositionKind kind) {
    pv1::Cadre c;
    grpc::Status s = Create(city_, "sec-cadre-" + cadre.resident_id(), cadre, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    pv1::CreatePositionRequest req;
    req.set_request_id("sec-pos-" + cadre.resident_id());
    req.mutable_position()->set_cadre_id(c.id());
    req.mutable_position()->set_party_org_id(org_id);
    req.mutable_position()->set_kind(kind);
    req.mutable_position()->mutable_term_start()->set_year(2021);
    req.mutable_position()->mutable_term_start()->set_month(1);
    req.mutable_position()->mutable_term_start()->set_day(15);
    pv1::Position p;
    s = stub().CreatePosition(WithToken(city_).get(), req, &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.id();
  }

  // Ends `cadre`'s one current post on `day` for `reason` (as `token`): the
  // ended position.
  pv1::Position EndPost(const std::string& token, const std::string& rid, const std::string& cadre,
                        absl::CivilDay day, pv1::PositionEndReason reason) {
    pv1::ListPositionsRequest list;
    list.set_cadre_id(cadre);
    list.set_current_only(true);
    pv1::ListPositionsResponse posts;
    EXPECT_TRUE(stub().ListPositions(WithToken(token).get(), list, &posts).ok());
    EXPECT_EQ(posts.positions_size(), 1) << cadre;
    pv1::EndPositionRequest end;
    end.set_request_id(rid);
    end.set_id(posts.positions_size() ? posts.positions(0).id() : "");
    *end.mutable_ended_on() = ToDate(day);
    end.set_reason(reason);
    pv1::Position ended;
    grpc::Status s = stub().EndPosition(WithToken(token).get(), end, &ended);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return ended;
  }

  // Rows of any table of the database (every schema, as the superuser) whose
  // text holds `needle`: what a dump, a replica or a backup would show.
  std::vector<std::string> TablesHolding(const std::string& needle) {
    auto admin = svc().Admin();
    pqxx::nontransaction n(*admin);
    std::vector<std::string> found;
    for (const auto& t :
         n.exec("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
                "('pg_catalog', 'information_schema')")) {
      const std::string name = t[0].as<std::string>();
      // As text, and as the hex a bytea column (a stored answer) shows.
      const std::string q =
          absl::StrCat("SELECT count(*) FROM ", name, " x WHERE x::text LIKE '%", needle,
                       "%' OR x::text LIKE '%", absl::BytesToHexString(needle), "%'");
      if (n.exec(q)[0][0].as<int64_t>() > 0) found.push_back(name);
    }
    return found;
  }

  // The id of a village's Party organisation.
  std::string OrgOf(const std::string& village) {
    pv1::ListPartyOrgsRequest req;
    req.set_region_code(village);
    pv1::ListPartyOrgsResponse resp;
    grpc::Status s = stub().ListPartyOrgs(WithToken(city_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.party_orgs_size(), 1) << village;
    return resp.party_orgs_size() ? resp.party_orgs(0).id() : "";
  }

  const std::string city_ = svc().Token(Role::kCityOrgDept, "150900000000", "city");
  const std::string jining_ = svc().Token(Role::kCountyOperator, "150902000000", "jining-op");
  const std::string siziwang_ = svc().Token(Role::kCountyOperator, "150929000000", "siziwang-op");
  const std::string auditor_ = svc().Token(Role::kAuditor, "150900000000", "auditor");
  const std::string township_ = svc().Token(Role::kTownshipOperator, "150902001000", "xintilu-op");

 private:
  std::unique_ptr<pv1::PersonnelService::Stub> stub_;
};

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_PERSONNEL_FIXTURE_H_
