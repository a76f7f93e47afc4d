// The client other services use to ask personnel, over gRPC with the
// caller's own token: cadres by id and the current secretaries of a region.
// Errors name the calling request's field; personnel down is UNAVAILABLE
// (DOWNSTREAM_UNAVAILABLE).
#ifndef TOUYAN_SERVICES_PERSONNEL_CLIENT_PERSONNEL_CLIENT_H_
#define TOUYAN_SERVICES_PERSONNEL_CLIENT_PERSONNEL_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/grpc/downstream.h"
#include "common/grpc/runtime.h"
#include "common/status/status.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"

namespace touyan::personnel {

class PersonnelClient {
 public:
  explicit PersonnelClient(const Downstream& downstream)
      : downstream_(downstream), stub_(v1::PersonnelService::NewStub(downstream.channel())) {}

  // NOT_FOUND or PERMISSION_DENIED name `field`.
  absl::StatusOr<v1::Cadre> GetCadre(CallContext& call, const std::string& id,
                                     absl::string_view field);
  // In the order of `ids`; errors name `field[i]`.
  absl::StatusOr<std::vector<v1::Cadre>> GetCadres(
      CallContext& call, const google::protobuf::RepeatedPtrField<std::string>& ids,
      absl::string_view field);
  // The cadre's current secretary post (branch secretary or both posts);
  // FAILED_PRECONDITION (NOT_A_SECRETARY) naming `field` if none.
  absl::StatusOr<v1::Position> SecretaryPost(CallContext& call, const std::string& cadre_id,
                                             absl::string_view field);
  // Every position the cadre held or holds; errors name `field`.
  absl::StatusOr<std::vector<v1::Position>> Positions(CallContext& call,
                                                      const std::string& cadre_id,
                                                      absl::string_view field);
  // An organisation; NOT_FOUND or PERMISSION_DENIED name `field`.
  absl::StatusOr<v1::PartyOrg> GetPartyOrg(CallContext& call, const std::string& id,
                                           absl::string_view field);
  // Adds a designation (idempotent by `request_id`).
  absl::StatusOr<v1::Designation> AddDesignation(CallContext& call, const std::string& request_id,
                                                 const v1::Designation& designation);
  // Sends an instructor to a rectification target (idempotent by `request_id`).
  absl::StatusOr<v1::Designation> AssignInstructor(CallContext& call, const std::string& request_id,
                                                   const std::string& designation_id,
                                                   const std::string& instructor,
                                                   const google::type::Date& deadline);
  // Records support granted to a designated organisation (idempotent by
  // `request_id`); errors name `field`.
  absl::StatusOr<v1::SupportEntry> RecordSupport(CallContext& call, const std::string& request_id,
                                                 const v1::SupportEntry& entry,
                                                 absl::string_view field);
  // Every current secretary of an organisation of `kind` (0: any) under `region_code`.
  absl::StatusOr<std::vector<v1::Secretary>> Secretaries(CallContext& call,
                                                         const std::string& region_code,
                                                         v1::PartyOrgKind kind);

  // The year's confirmed good secretaries (乡村振兴担当作为好支书) under `region_code`.
  absl::StatusOr<std::vector<v1::Nomination>> GoodSecretaries(CallContext& call,
                                                              const std::string& region_code,
                                                              int year);
  // Every cadre of the caller's scope whose record was anonymised after
  // they departed (their name is the one the record keeps).
  absl::StatusOr<std::vector<v1::Cadre>> Anonymised(CallContext& call);
  // Ends a position (idempotent by `request_id`); errors name `field`.
  absl::StatusOr<v1::Position> EndPosition(CallContext& call, const v1::EndPositionRequest& request,
                                           absl::string_view field);

 private:
  // Every item of a list, page after page.
  template <typename Req, typename Resp, typename Item>
  absl::StatusOr<std::vector<Item>> AllPages(
      CallContext& call,
      grpc::Status (v1::PersonnelService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
      Req req, google::protobuf::RepeatedPtrField<Item>* (Resp::*items)()) {
    return downstream_.AllPages(call.principal(), call.deadline(), *stub_, method, std::move(req),
                                items);
  }

  // One call to personnel; its errors (but UNAVAILABLE) name `field` when
  // one is given: the caller's request field the answer is about.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Ask(CallContext& call,
                           grpc::Status (v1::PersonnelService::Stub::*method)(grpc::ClientContext*,
                                                                              const Req&, Resp*),
                           const Req& req, absl::string_view field = "") {
    absl::StatusOr<Resp> r =
        downstream_.Call(call.principal(), call.deadline(), *stub_, method, req);
    if (!r.ok() && !field.empty() && r.status().code() != absl::StatusCode::kUnavailable) {
      return WithField(r.status(), field);
    }
    return r;
  }

  const Downstream& downstream_;
  std::unique_ptr<v1::PersonnelService::Stub> stub_;
};

// Whether a cadre currently holds a secretary post (branch secretary or both posts).
bool IsSecretary(const v1::Cadre& c);

// ServiceSpec::anonymised_cadres of a service that copies cadres' names:
// personnel's anonymised records as (id, name), asked by `call`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> AnonymisedCadres(
    Runtime& rt, CallContext& call);

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_CLIENT_PERSONNEL_CLIENT_H_
