// The gRPC adapter of touyan.personnel.v1, part four: the seed pipeline,
// returnee recruitment and appointing either into a village post.
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/domain/seed.h"
#include "services/personnel/personnel_service.h"
#include "common/grpc/handlers.h"

namespace touyan::personnel {
namespace {

// A person waiting for a village post: a valid cadre of a village in scope.
absl::StatusOr<v1::Cadre> CheckPerson(CallContext& call, v1::Cadre person, absl::string_view prefix) {
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
  ASSIGN_OR_RETURN(v1::Seed seed, repo.AdvanceSeed(call, r, r.request_id(), id, step, yes, r.note()));
  ShowPerson(call, *seed.mutable_person(), seed.county_code(), "seeds/" + seed.id());
  return seed;
}

}  // namespace

grpc::ServerUnaryReactor* PersonnelService::NominateSeed(Ctx* ctx, const v1::NominateSeedRequest* req,
                                                         v1::Seed* resp) {
  return rt_.Unary<v1::NominateSeedRequest, v1::Seed>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::NominateSeedRequest& r) -> absl::StatusOr<v1::Seed> {
        RETURN_IF_ERROR(CheckSeedStep(SeedStep::kNominate, v1::SEED_STAGE_UNSPECIFIED, call.principal().role));
        RETURN_IF_ERROR(ValidateText("seed.strengths", r.seed().strengths(), 1000, /*required=*/false));
        ASSIGN_OR_RETURN(v1::Cadre person, CheckPerson(call, r.seed().person(), "seed.person."));
        ASSIGN_OR_RETURN(v1::Seed seed, repo_->NominateSeed(call, r, person));
        ShowPerson(call, *seed.mutable_person(), seed.county_code(), "seeds/" + seed.id());
        return seed;
      });
}

grpc::ServerUnaryReactor* PersonnelService::SelectSeed(Ctx* ctx, const v1::SelectSeedRequest* req,
                                                       v1::Seed* resp) {
  return rt_.Unary<v1::SelectSeedRequest, v1::Seed>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::SelectSeedRequest& r) -> absl::StatusOr<v1::Seed> {
        return TakeStep(*repo_, call, r, SeedStep::kSelect, r.selected());
      });
}

grpc::ServerUnaryReactor* PersonnelService::ExamineSeed(Ctx* ctx, const v1::ExamineSeedRequest* req,
                                                        v1::Seed* resp) {
  return rt_.Unary<v1::ExamineSeedRequest, v1::Seed>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::ExamineSeedRequest& r) -> absl::StatusOr<v1::Seed> {
        return TakeStep(*repo_, call, r, SeedStep::kExamine, r.approved());
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListSeeds(Ctx* ctx, const v1::ListSeedsRequest* req,
                                                      v1::ListSeedsResponse* resp) {
  return rt_.Unary<v1::ListSeedsRequest, v1::ListSeedsResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::ListSeedsRequest& r) -> absl::StatusOr<v1::ListSeedsResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        RETURN_IF_ERROR(CheckEnum("stage", r.stage(), v1::SeedStage_IsValid));
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(PageOf<v1::Seed> rows, repo_->ListSeeds(call, prefix, r.stage(), page));
        for (auto& s : rows.items) ShowPerson(call, *s.mutable_person(), s.county_code(), "seeds/" + s.id());
        return ListResponse(call, r, std::move(rows), &v1::ListSeedsResponse::mutable_seeds);
      });
}

grpc::ServerUnaryReactor* PersonnelService::SeedCoverage(Ctx* ctx, const v1::SeedCoverageRequest* req,
                                                         v1::SeedCoverageResponse* resp) {
  return rt_.Unary<v1::SeedCoverageRequest, v1::SeedCoverageResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::SeedCoverageRequest& r) -> absl::StatusOr<v1::SeedCoverageResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        if (r.min_seeds() < 0 || r.min_seeds() > 100) return InvalidField("min_seeds", "must be 0 to 100");
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(v1::SeedCoverageResponse out,
                         repo_->SeedCoverage(call, prefix,
                                             r.min_seeds() == 0 ? kMinSeedsPerVillage : r.min_seeds(), page));
        if (!out.next_page_token().empty()) {
          out.set_next_page_token(call.pager().Next(r, out.next_page_token()));
        }
        return out;
      });
}

grpc::ServerUnaryReactor* PersonnelService::CreateReturnee(Ctx* ctx, const v1::CreateReturneeRequest* req,
                                                           v1::Returnee* resp) {
  return rt_.Unary<v1::CreateReturneeRequest, v1::Returnee>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::CreateReturneeRequest& r) -> absl::StatusOr<v1::Returnee> {
        RETURN_IF_ERROR(ValidateReturneeOrigin(r.returnee().person().origin()));
        RETURN_IF_ERROR(ValidateText("returnee.note", r.returnee().note(), 1000, /*required=*/false));
        ASSIGN_OR_RETURN(v1::Cadre person, CheckPerson(call, r.returnee().person(), "returnee.person."));
        ASSIGN_OR_RETURN(v1::Returnee x, repo_->CreateReturnee(call, r, person));
        ShowPerson(call, *x.mutable_person(), x.county_code(), "returnees/" + x.id());
        return x;
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListReturnees(Ctx* ctx, const v1::ListReturneesRequest* req,
                                                          v1::ListReturneesResponse* resp) {
  return rt_.Unary<v1::ListReturneesRequest, v1::ListReturneesResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::ListReturneesRequest& r) -> absl::StatusOr<v1::ListReturneesResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        RETURN_IF_ERROR(CheckEnum("origin", r.origin(), v1::Origin_IsValid));
        RETURN_IF_ERROR(CheckEnum("status", r.status(), v1::ReturneeStatus_IsValid));
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(PageOf<v1::Returnee> rows,
                         repo_->ListReturnees(call, prefix, r.origin(), r.status(), page));
        for (auto& x : rows.items) ShowPerson(call, *x.mutable_person(), x.county_code(), "returnees/" + x.id());
        return ListResponse(call, r, std::move(rows), &v1::ListReturneesResponse::mutable_returnees);
      });
}

grpc::ServerUnaryReactor* PersonnelService::ReturneeStatistics(
    Ctx* ctx, const v1::ReturneeStatisticsRequest* req, v1::ReturneeStatisticsResponse* resp) {
  return rt_.Unary<v1::ReturneeStatisticsRequest, v1::ReturneeStatisticsResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::ReturneeStatisticsRequest& r) -> absl::StatusOr<v1::ReturneeStatisticsResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        return repo_->ReturneeStatistics(call, prefix);
      });
}

grpc::ServerUnaryReactor* PersonnelService::Appoint(Ctx* ctx, const v1::AppointRequest* req,
                                                    v1::AppointResponse* resp) {
  return rt_.Unary<v1::AppointRequest, v1::AppointResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::AppointRequest& r) -> absl::StatusOr<v1::AppointResponse> {
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
      });
}

}  // namespace touyan::personnel
