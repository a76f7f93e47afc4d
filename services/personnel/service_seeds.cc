// The gRPC adapter of touyan.personnel.v1, part four: the seed pipeline,
// returnee recruitment and appointing either into a village post.
#include "absl/strings/str_cat.h"
#include "common/export/xlsx.h"
#include "common/grpc/file_stream.h"
#include "common/grpc/handlers.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/domain/seed.h"
#include "services/personnel/personnel_service.h"

namespace touyan::personnel {
namespace {

// A person waiting for a village post: a valid cadre of a village in scope.
absl::StatusOr<v1::Cadre> CheckPerson(CallContext& call, v1::Cadre person,
                                      absl::string_view prefix) {
  RETURN_IF_ERROR(NestField(NormalizeCadre(person, call.clock().Today()), prefix));
  if (LevelOfCode(person.region_code()) != v1::REGION_LEVEL_VILLAGE) {
    return InvalidField(absl::StrCat(prefix, "region_code"), "must be a village (嘎查村) code");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(person.region_code()),
                            absl::StrCat(prefix, "region_code")));
  return person;
}

// Selection and examination differ only in the step and its decision.
template <typename Req>
absl::StatusOr<v1::Seed> TakeStep(PersonnelRepository& repo, CallContext& call, const Req& r,
                                  SeedStep step, bool yes) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  RETURN_IF_ERROR(ValidateText("note", r.note(), 1000, /*required=*/false));
  ASSIGN_OR_RETURN(v1::Seed seed,
                   repo.AdvanceSeed(call, r, r.request_id(), id, step, yes, r.note()));
  ShowPerson(call, *seed.mutable_person(), seed.county_code(), "seeds/" + seed.id());
  return seed;
}

}  // namespace

TOUYAN_UNARY(PersonnelService, NominateSeed, v1::NominateSeedRequest, v1::Seed)

absl::StatusOr<v1::Seed> PersonnelService::DoNominateSeed(CallContext& call,
                                                          const v1::NominateSeedRequest& r) {
  RETURN_IF_ERROR(
      CheckSeedStep(SeedStep::kNominate, v1::SEED_STAGE_UNSPECIFIED, call.principal().role));
  RETURN_IF_ERROR(ValidateText("seed.strengths", r.seed().strengths(), 1000, /*required=*/false));
  ASSIGN_OR_RETURN(v1::Cadre person, CheckPerson(call, r.seed().person(), "seed.person."));
  ASSIGN_OR_RETURN(v1::Seed seed, repo_->NominateSeed(call, r, person));
  ShowPerson(call, *seed.mutable_person(), seed.county_code(), "seeds/" + seed.id());
  return seed;
}

TOUYAN_UNARY(PersonnelService, SelectSeed, v1::SelectSeedRequest, v1::Seed)

absl::StatusOr<v1::Seed> PersonnelService::DoSelectSeed(CallContext& call,
                                                        const v1::SelectSeedRequest& r) {
  return TakeStep(*repo_, call, r, SeedStep::kSelect, r.selected());
}

TOUYAN_UNARY(PersonnelService, ExamineSeed, v1::ExamineSeedRequest, v1::Seed)

absl::StatusOr<v1::Seed> PersonnelService::DoExamineSeed(CallContext& call,
                                                         const v1::ExamineSeedRequest& r) {
  return TakeStep(*repo_, call, r, SeedStep::kExamine, r.approved());
}

TOUYAN_UNARY(PersonnelService, ListSeeds, v1::ListSeedsRequest, v1::ListSeedsResponse)

absl::StatusOr<v1::ListSeedsResponse> PersonnelService::DoListSeeds(CallContext& call,
                                                                    const v1::ListSeedsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("stage", r.stage(), v1::SeedStage_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Seed> rows, repo_->ListSeeds(call, prefix, r.stage(), page));
  for (auto& s : rows.items)
    ShowPerson(call, *s.mutable_person(), s.county_code(), "seeds/" + s.id());
  return ListResponse(call, r, std::move(rows), &v1::ListSeedsResponse::mutable_seeds);
}

grpc::ServerWriteReactor<files::v1::FileChunk>* PersonnelService::ExportSeeds(
    Ctx* ctx, const v1::ExportSeedsRequest* req) {
  return FileStream(
      rt_, ctx, req, "ExportSeeds",
      [this](CallContext& call, const v1::ExportSeedsRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, SeedsWorkbook(call, r));
        return MadeFile{absl::StrCat("seeds-", ExportRegion(call, r.region_code()), ".xlsx"),
                        std::move(bytes)};
      });
}

namespace {

const char* StageLabel(v1::SeedStage s) {
  switch (s) {
    case v1::SEED_STAGE_NOMINATED:
      return "村推";
    case v1::SEED_STAGE_SELECTED:
      return "镇选";
    case v1::SEED_STAGE_APPROVED:
      return "县考";
    case v1::SEED_STAGE_REJECTED:
      return "未通过";
    case v1::SEED_STAGE_APPOINTED:
      return "已任用";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<std::string> PersonnelService::SeedsWorkbook(CallContext& call,
                                                            const v1::ExportSeedsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  // The seeds from the repository, not through ListSeeds: the workbook
  // holds no resident ID or phone number, so no unmasked read happens.
  std::vector<v1::Seed> seeds;
  paging::Page page{.size = 1000};
  do {
    ASSIGN_OR_RETURN(PageOf<v1::Seed> rows,
                     repo_->ListSeeds(call, prefix, v1::SEED_STAGE_UNSPECIFIED, page));
    for (auto& s : rows.items) seeds.push_back(std::move(s));
    page.cursor = rows.next_cursor;
  } while (!page.cursor.empty());
  v1::SeedCoverageRequest cov;
  cov.set_region_code(r.region_code());
  cov.set_page_size(1);  // the townships come whole on every page
  ASSIGN_OR_RETURN(v1::SeedCoverageResponse coverage, DoSeedCoverage(call, cov));

  xlsx::Sheet list{.name = "种子人选",
                   .headers = {"序号", "乡镇（街道）代码", "村（社区）代码", "姓名", "阶段",
                               "推荐理由", "任用干部编号"}};
  std::map<std::string, std::map<v1::SeedStage, int>> by_township;
  std::sort(seeds.begin(), seeds.end(), [](const v1::Seed& a, const v1::Seed& b) {
    return std::tie(a.person().region_code(), a.id()) < std::tie(b.person().region_code(), b.id());
  });
  for (size_t i = 0; i < seeds.size(); ++i) {
    const v1::Seed& s = seeds[i];
    const std::string township = s.person().region_code().substr(0, 9) + "000";
    list.rows.push_back({xlsx::Cell::Number(static_cast<double>(i + 1)), xlsx::Cell::Text(township),
                         xlsx::Cell::Text(s.person().region_code()),
                         xlsx::Cell::Text(s.person().name()),
                         xlsx::Cell::Text(StageLabel(s.stage())), xlsx::Cell::Text(s.strengths()),
                         xlsx::Cell::Text(s.cadre_id())});
    ++by_township[township][s.stage()];
  }
  list.notes = {"阶段：村推 → 镇选 → 县考 → 已任用；未通过为镇未选或县未批。"};
  xlsx::Sheet towns{.name = "乡镇汇总",
                    .headers = {"乡镇（街道）代码", "村数", "储备不足的村数", "村推", "镇选",
                                "县考", "已任用", "未通过"}};
  for (const v1::AreaSeeds& t : coverage.townships()) {
    auto& n = by_township[t.region_code()];
    towns.rows.push_back({xlsx::Cell::Text(t.region_code()), xlsx::Cell::Number(t.villages()),
                          xlsx::Cell::Number(t.villages_below()),
                          xlsx::Cell::Number(n[v1::SEED_STAGE_NOMINATED]),
                          xlsx::Cell::Number(n[v1::SEED_STAGE_SELECTED]),
                          xlsx::Cell::Number(n[v1::SEED_STAGE_APPROVED]),
                          xlsx::Cell::Number(n[v1::SEED_STAGE_APPOINTED]),
                          xlsx::Cell::Number(n[v1::SEED_STAGE_REJECTED])});
  }
  towns.notes = {absl::StrCat("储备不足：县考通过的种子少于 ", kMinSeedsPerVillage,
                              " 人的村（种子计划）。共 ", coverage.villages(), " 个村，其中 ",
                              coverage.villages_below_total(), " 个不足。")};
  return xlsx::Workbook({list, towns});
}

TOUYAN_UNARY(PersonnelService, SeedCoverage, v1::SeedCoverageRequest, v1::SeedCoverageResponse)

absl::StatusOr<v1::SeedCoverageResponse> PersonnelService::DoSeedCoverage(
    CallContext& call, const v1::SeedCoverageRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (r.min_seeds() < 0 || r.min_seeds() > 100)
    return InvalidField("min_seeds", "must be 0 to 100");
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(
      v1::SeedCoverageResponse out,
      repo_->SeedCoverage(call, prefix, r.min_seeds() == 0 ? kMinSeedsPerVillage : r.min_seeds(),
                          page));
  if (!out.next_page_token().empty()) {
    out.set_next_page_token(call.pager().Next(r, out.next_page_token()));
  }
  return out;
}

TOUYAN_UNARY(PersonnelService, CreateReturnee, v1::CreateReturneeRequest, v1::Returnee)

absl::StatusOr<v1::Returnee> PersonnelService::DoCreateReturnee(
    CallContext& call, const v1::CreateReturneeRequest& r) {
  RETURN_IF_ERROR(ValidateReturneeOrigin(r.returnee().person().origin()));
  RETURN_IF_ERROR(ValidateText("returnee.note", r.returnee().note(), 1000, /*required=*/false));
  ASSIGN_OR_RETURN(v1::Cadre person, CheckPerson(call, r.returnee().person(), "returnee.person."));
  ASSIGN_OR_RETURN(v1::Returnee x, repo_->CreateReturnee(call, r, person));
  ShowPerson(call, *x.mutable_person(), x.county_code(), "returnees/" + x.id());
  return x;
}

TOUYAN_UNARY(PersonnelService, ListReturnees, v1::ListReturneesRequest, v1::ListReturneesResponse)

absl::StatusOr<v1::ListReturneesResponse> PersonnelService::DoListReturnees(
    CallContext& call, const v1::ListReturneesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("origin", r.origin(), v1::Origin_IsValid));
  RETURN_IF_ERROR(CheckEnum("status", r.status(), v1::ReturneeStatus_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Returnee> rows,
                   repo_->ListReturnees(call, prefix, r.origin(), r.status(), page));
  for (auto& x : rows.items)
    ShowPerson(call, *x.mutable_person(), x.county_code(), "returnees/" + x.id());
  return ListResponse(call, r, std::move(rows), &v1::ListReturneesResponse::mutable_returnees);
}

TOUYAN_UNARY(PersonnelService, ReturneeStatistics, v1::ReturneeStatisticsRequest,
             v1::ReturneeStatisticsResponse)

absl::StatusOr<v1::ReturneeStatisticsResponse> PersonnelService::DoReturneeStatistics(
    CallContext& call, const v1::ReturneeStatisticsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  return repo_->ReturneeStatistics(call, prefix);
}

TOUYAN_UNARY(PersonnelService, Appoint, v1::AppointRequest, v1::AppointResponse)

absl::StatusOr<v1::AppointResponse> PersonnelService::DoAppoint(CallContext& call,
                                                                const v1::AppointRequest& r) {
  if (!r.has_seed_id() && !r.has_returnee_id()) {
    return InvalidField("seed_id", "name the seed_id or the returnee_id to appoint", "REQUIRED");
  }
  const char* from_field = r.has_seed_id() ? "seed_id" : "returnee_id";
  ASSIGN_OR_RETURN(ResourceId from,
                   ResourceId::Parse(from_field, r.has_seed_id() ? r.seed_id() : r.returnee_id()));
  ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("party_org_id", r.party_org_id()));
  if (from.county_code != org.county_code) {
    return InvalidField("party_org_id", "must be in the person's county", "CROSS_COUNTY");
  }
  if (r.kind() == v1::POSITION_KIND_UNSPECIFIED || !v1::PositionKind_IsValid(r.kind())) {
    return InvalidField("kind", "is required", "REQUIRED");
  }
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  ASSIGN_OR_RETURN(v1::AppointResponse out, repo_->Appoint(call, r, from, org));
  ShowPerson(call, *out.mutable_cadre(), out.cadre().county_code(), "cadres/" + out.cadre().id());
  return out;
}

TOUYAN_UNARY(PersonnelService, GetSeed, v1::GetSeedRequest, v1::Seed)
TOUYAN_UNARY(PersonnelService, GetReturnee, v1::GetReturneeRequest, v1::Returnee)

absl::StatusOr<v1::Seed> PersonnelService::DoGetSeed(CallContext& call,
                                                     const v1::GetSeedRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  ASSIGN_OR_RETURN(v1::Seed s, repo_->GetSeed(call, id));
  ShowPerson(call, *s.mutable_person(), s.county_code(), "seeds/" + s.id());
  return s;
}

absl::StatusOr<v1::Returnee> PersonnelService::DoGetReturnee(CallContext& call,
                                                             const v1::GetReturneeRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  ASSIGN_OR_RETURN(v1::Returnee x, repo_->GetReturnee(call, id));
  ShowPerson(call, *x.mutable_person(), x.county_code(), "returnees/" + x.id());
  return x;
}

}  // namespace touyan::personnel
