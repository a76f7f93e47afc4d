// Bulk import by client streaming, and paging to the end.
#include "common/idempotency/idempotency.h"
#include "gmock/gmock.h"
#include "tests/personnel/fixture.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_import"));

using grpc::StatusCode;

int64_t CountIds(ServiceUnderTest& svc, const std::vector<pv1::Cadre>& cadres) {
  std::string list;
  for (const auto& c : cadres)
    list += (list.empty() ? "" : ",") + ResidentIndexSql(c.resident_id());
  return svc.Count("SELECT count(*) FROM personnel.cadres WHERE resident_id_index IN (" + list +
                   ")");
}

// An import's refused rows as (row, reason), in the response's order.
using Refused = std::vector<std::pair<int64_t, std::string>>;
Refused RefusedRows(const pv1::ImportCadresResponse& r) {
  Refused out;
  for (const auto& e : r.errors()) out.emplace_back(e.row(), e.reason());
  return out;
}

TEST_F(PersonnelTest, TenThousandRowsWithThreeBadOnesStoreTheRest) {
  std::vector<pv1::Cadre> rows = ctl::GenerateCadres(11, 100000, 10000, VillagesOf("1509"));
  rows[16].set_resident_id(rows[16].resident_id().substr(0, 17) +
                           (rows[16].resident_id()[17] == '1' ? "2" : "1"));  // row 17: checksum
  rows[4999].set_region_code(rows[4999].region_code().substr(0, 9) +
                             "999");                  // row 5000: no such village
  rows[9998].set_resident_id(rows[9].resident_id());  // row 9999: duplicate of row 10
  rows[9998].set_region_code(rows[9].region_code());
  rows[9998].clear_birth_date();
  rows[9998].clear_gender();

  const std::vector<pv1::Cadre> sent = rows;
  auto r = ctl::ImportCadres(stub(), city_, "bulk-10k", sent, 500);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_received(), 10000);
  EXPECT_EQ(r->rows_imported(), 9997);
  EXPECT_EQ(r->rows_failed(), 3);
  ASSERT_EQ(
      RefusedRows(*r),
      (Refused{{17, "BAD_CHECKSUM"}, {5000, "REGION_NOT_FOUND"}, {9999, "DUPLICATE_IN_IMPORT"}}));
  EXPECT_EQ(r->errors(0).field(), "resident_id");
  rows.erase(rows.begin() + 9998);
  rows.erase(rows.begin() + 4999);
  rows.erase(rows.begin() + 16);
  EXPECT_EQ(CountIds(svc(), rows), 9997);

  // A retry of the same import returns the first answer and adds nothing.
  const int64_t before = svc().Count("SELECT count(*) FROM personnel.cadres");
  auto again = ctl::ImportCadres(stub(), city_, "bulk-10k", sent, 500);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rows_imported(), 9997);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before);
  // The whole stream is the request: sent in messages of another size it is
  // the same one; a row changed after the first message, or rows left off,
  // make it another request under a used id.
  auto resplit = ctl::ImportCadres(stub(), city_, "bulk-10k", sent, 700);
  ASSERT_TRUE(resplit.ok()) << resplit.status();
  EXPECT_EQ(resplit->rows_imported(), 9997);
  std::vector<pv1::Cadre> changed = sent;
  changed[9000].set_name(changed[9000].name() + "X");
  auto reused = ctl::ImportCadres(stub(), city_, "bulk-10k", changed, 500);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument) << reused.status();
  EXPECT_THAT(std::string(reused.status().message()), ::testing::HasSubstr("request_id"));
  auto shorter = ctl::ImportCadres(stub(), city_, "bulk-10k",
                                   std::vector<pv1::Cadre>(sent.begin(), sent.begin() + 500), 500);
  EXPECT_EQ(shorter.status().code(), absl::StatusCode::kInvalidArgument) << shorter.status();
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before);
  // What is stored is the fingerprint of the merged request, as a unary
  // mutation's would be.
  pv1::ImportCadresRequest merged;
  merged.set_request_id("bulk-10k");
  for (const pv1::Cadre& c : sent) *merged.add_cadres() = c;
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.idempotency WHERE request_id = "
                        "'bulk-10k' AND fingerprint = '\\x" +
                        absl::BytesToHexString(idempotency::FingerprintOf(merged).sha256) + "'"),
            1);

  // The same rows under a new request id are already registered.
  auto dup = ctl::ImportCadres(stub(), city_, "bulk-10k-b",
                               std::vector<pv1::Cadre>(rows.begin(), rows.begin() + 3), 500);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->rows_imported(), 0);
  ASSERT_EQ(dup->errors_size(), 3);
  EXPECT_EQ(dup->errors(0).reason(), "ALREADY_REGISTERED");
  EXPECT_GE(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE method = 'ImportCadres' "
                        "AND request_id = 'bulk-10k'"),
            11)
      << "a summary audit row per county";
}

// More rows than the service stages at a time (16,384): each chunk is
// checked and moved while the next streams in; rows refused in the first,
// a middle and the last chunk are reported, the rest stored once, and the
// audit summary counts them all.
TEST_F(PersonnelTest, AnImportOfSeveralChunksChecksAndStoresEachChunk) {
  const std::vector<pv1::Cadre> earlier = ctl::GenerateCadres(16, 700000, 1, VillagesOf("1509"));
  auto pre = ctl::ImportCadres(stub(), city_, "chunks-pre", earlier, 1);
  ASSERT_TRUE(pre.ok()) << pre.status();
  ASSERT_EQ(pre->rows_imported(), 1);
  std::vector<pv1::Cadre> rows = ctl::GenerateCadres(15, 600000, 40000, VillagesOf("1509"));
  rows[99].set_region_code(rows[99].region_code().substr(0, 9) + "999");        // row 100
  rows[25000] = earlier[0];                                                     // row 25001
  rows[39990].set_region_code(rows[39990].region_code().substr(0, 9) + "999");  // row 39991
  const int64_t before = svc().Count("SELECT count(*) FROM personnel.cadres");
  auto r = ctl::ImportCadres(stub(), city_, "chunks", rows, 1000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_received(), 40000);
  EXPECT_EQ(r->rows_imported(), 39997);
  const Refused refused = {
      {100, "REGION_NOT_FOUND"}, {25001, "ALREADY_REGISTERED"}, {39991, "REGION_NOT_FOUND"}};
  EXPECT_EQ(RefusedRows(*r), refused);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before + 39997);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.people"), before + 39997);
  // Ids follow the file across chunks: the last row's cadre has the
  // highest id.
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE resident_id_index = " +
                        ResidentIndexSql(rows[39999].resident_id()) +
                        " AND id = (SELECT max(id) FROM personnel.cadres)"),
            1);
  // One summary audit row per county, together the whole import.
  EXPECT_EQ(svc().Count("SELECT sum((after->>'cadres_imported')::int) FROM personnel.audit_log "
                        "WHERE request_id = 'chunks'"),
            39997);
  EXPECT_EQ(svc().Count("SELECT (min((after->>'first_row')::int) = 1 AND "
                        "max((after->>'last_row')::int) = 40000)::int FROM personnel.audit_log "
                        "WHERE request_id = 'chunks'"),
            1);
  // A retry answers as the first call did and stores nothing.
  auto again = ctl::ImportCadres(stub(), city_, "chunks", rows, 1000);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rows_imported(), 39997);
  EXPECT_EQ(RefusedRows(*again), refused);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before + 39997);
}

// A caller that cancels while a chunk is being moved: nothing of the import
// is stored, and the connection it used serves the next calls (the chunk's
// unread results are read and dropped before the transaction is rolled
// back).
TEST_F(PersonnelTest, AnImportCancelledWithAChunkInFlightStoresNothing) {
  const std::vector<pv1::Cadre> rows = ctl::GenerateCadres(17, 800000, 20000, VillagesOf("1509"));
  const int64_t before = svc().Count("SELECT count(*) FROM personnel.cadres");
  const int64_t people = svc().Count("SELECT count(*) FROM personnel.people");
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, city_);
    pv1::ImportCadresResponse resp;
    auto writer = stub().ImportCadres(&ctx, &resp);
    pv1::ImportCadresRequest m;
    m.set_request_id("cancelled");
    for (size_t i = 0; i < rows.size(); ++i) {
      *m.add_cadres() = rows[i];
      if (m.cadres_size() == 1000) {
        ASSERT_TRUE(writer->Write(m));
        m.Clear();
      }
    }
    // 20,000 rows sent: the first 16,384 are moved while the call stays open
    // (no WritesDone). The moves' last statement empties the staging table;
    // its results stay unread until the next chunk or the end.
    int64_t sent = 0;
    for (int i = 0; i < 1000 && sent == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
      sent = svc().Count(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
          "query = 'TRUNCATE cadre_import'");
    }
    EXPECT_EQ(sent, 1) << "the first chunk's moves were not sent";
    ctx.TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), StatusCode::CANCELLED);
  }
  // The rolled-back transaction left nothing; the request id is free.
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.people"), people);
  // Each import leases a connection of the imports' pool: several in turn
  // reach the one the cancelled call used, and each works.
  for (int i = 0; i < 4; ++i) {
    const std::vector<pv1::Cadre> one =
        ctl::GenerateCadres(18 + i, 900000 + 10 * i, 1, VillagesOf("1509"));
    auto r = ctl::ImportCadres(stub(), city_, absl::StrCat("after-cancel-", i), one, 1);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->rows_imported(), 1);
  }
  auto whole = ctl::ImportCadres(stub(), city_, "cancelled", rows, 1000);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->rows_imported(), 20000);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres"), before + 20004);
}

TEST_F(PersonnelTest, ACountyOperatorImportsOnlyItsCounty) {
  std::vector<pv1::Cadre> rows = ctl::GenerateCadres(12, 200000, 4, {"150929101201"});
  rows[2].set_region_code("150902001001");
  auto r = ctl::ImportCadres(stub(), siziwang_, "bulk-scope", rows);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_imported(), 3);
  EXPECT_EQ(RefusedRows(*r), (Refused{{3, "OUT_OF_SCOPE"}}));

  auto auditor = ctl::ImportCadres(stub(), auditor_, "bulk-auditor", rows);
  EXPECT_EQ(auditor.status().code(), absl::StatusCode::kPermissionDenied);
  auto no_id = ctl::ImportCadres(stub(), city_, "", rows);
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PersonnelTest, AnImportWithAVillagePostMakesEachRowThePostHolder) {
  const std::vector<std::string> villages = VillagesOf("150927");  // 察右中旗
  std::vector<pv1::Cadre> rows = ctl::GenerateCadres(14, 400000, 4, {villages[0]});
  rows[1].set_region_code(villages[1]);
  rows[2].set_region_code(villages[0]);  // row 3: a second secretary for village 0
  rows[3].set_region_code(
      "150927103000");  // row 4: a township (科布尔镇) has no village organisation
  pv1::ImportCadresRequest head;
  head.set_request_id("posts-1");
  head.set_village_post(pv1::POSITION_KIND_DUAL_ROLE);
  head.mutable_term_start()->set_year(2021);
  head.mutable_term_start()->set_month(1);
  head.mutable_term_start()->set_day(15);

  // Without a start date nothing is written.
  pv1::ImportCadresRequest undated = head;
  undated.clear_term_start();
  undated.set_request_id("posts-undated");
  auto refused = ctl::ImportCadres(stub(), city_, undated, rows);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("term_start"), std::string::npos) << refused.status();
  EXPECT_EQ(CountIds(svc(), rows), 0);

  auto r = ctl::ImportCadres(stub(), city_, head, rows);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_imported(), 2);
  EXPECT_EQ(r->positions_created(), 2);
  ASSERT_EQ(RefusedRows(*r), (Refused{{3, "POST_TAKEN"}, {4, "NO_VILLAGE_ORG"}}));
  EXPECT_EQ(r->errors(1).field(), "cadre.region_code");

  // They are the villages' current secretaries.
  for (int v = 0; v < 2; ++v) {
    pv1::ListSecretariesRequest ls;
    ls.set_region_code(villages[v]);
    pv1::ListSecretariesResponse got;
    ASSERT_TRUE(stub().ListSecretaries(WithToken(city_).get(), ls, &got).ok());
    ASSERT_EQ(got.secretaries_size(), 1);
    EXPECT_EQ(got.secretaries(0).position_kind(), pv1::POSITION_KIND_DUAL_ROLE);
    EXPECT_EQ(got.secretaries(0).cadre_name(), rows[v].name());
  }
  // A retry answers the same and adds nothing; a later import for a village
  // with a secretary is refused that row.
  const int64_t positions = svc().Count("SELECT count(*) FROM personnel.positions");
  auto again = ctl::ImportCadres(stub(), city_, head, rows);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->positions_created(), 2);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.positions"), positions);
  head.set_request_id("posts-2");
  auto later =
      ctl::ImportCadres(stub(), city_, head, ctl::GenerateCadres(14, 400100, 1, {villages[1]}));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->rows_imported(), 0);
  ASSERT_EQ(later->errors_size(), 1);
  EXPECT_EQ(later->errors(0).reason(), "POST_TAKEN");

  // Committee members: any number a village.
  head.set_request_id("posts-members");
  head.set_village_post(pv1::POSITION_KIND_COMMITTEE_MEMBER);
  auto members =
      ctl::ImportCadres(stub(), city_, head, ctl::GenerateCadres(14, 400200, 3, {villages[0]}));
  ASSERT_TRUE(members.ok()) << members.status();
  EXPECT_EQ(members->positions_created(), 3);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.positions"), positions + 3);
}

TEST_F(PersonnelTest, PagingThroughAThousandCadresReturnsEachOnce) {
  const std::string township = "150929101000";  // 吉生太镇
  std::vector<pv1::Cadre> rows = ctl::GenerateCadres(13, 300000, 1000, VillagesOf("150929101"));
  auto r = ctl::ImportCadres(stub(), siziwang_, "paging-1000", rows, 250);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows_imported(), 1000);
  const int64_t total =
      svc().Count("SELECT count(*) FROM personnel.cadres WHERE region_code LIKE '150929101%'");
  ASSERT_GE(total, 1000);

  pv1::ListCadresRequest req;
  req.set_region_code(township);
  req.set_page_size(37);
  std::set<std::string> ids, residents;
  int pages = 0;
  std::string tampered;
  for (;;) {
    pv1::ListCadresResponse resp;
    grpc::Status s = stub().ListCadres(WithToken(siziwang_).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    for (const auto& c : resp.cadres()) {
      EXPECT_TRUE(ids.insert(c.id()).second) << "seen twice: " << c.id();
      residents.insert(c.resident_id());
    }
    if (resp.next_page_token().empty()) break;
    EXPECT_EQ(resp.cadres_size(), 37);
    tampered = resp.next_page_token();
    req.set_page_token(resp.next_page_token());
    ASSERT_LT(pages, 100);
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), total);
  EXPECT_EQ(pages, (total + 36) / 37);
  for (const auto& c : rows) EXPECT_TRUE(residents.contains(c.resident_id()));

  // A village (its own statement and index): its cadres, each once, to the end.
  const std::string village = rows[0].region_code();
  const int64_t in_village =
      svc().Count("SELECT count(*) FROM personnel.cadres WHERE region_code = '" + village + "'");
  ASSERT_GE(in_village, 5);
  pv1::ListCadresRequest vr;
  vr.set_region_code(village);
  vr.set_page_size(4);
  std::set<std::string> village_ids;
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 100);
    pv1::ListCadresResponse resp;
    grpc::Status s = stub().ListCadres(WithToken(siziwang_).get(), vr, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& c : resp.cadres()) {
      EXPECT_EQ(c.region_code(), village);
      EXPECT_TRUE(village_ids.insert(c.id()).second) << "seen twice: " << c.id();
    }
    if (resp.next_page_token().empty()) break;
    vr.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(static_cast<int64_t>(village_ids.size()), in_village);

  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  req.set_page_token(tampered);
  pv1::ListCadresResponse resp;
  Outcome o = OutcomeOf(stub().ListCadres(WithToken(siziwang_).get(), req, &resp));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "page_token");
}

}  // namespace
}  // namespace touyan::testing
