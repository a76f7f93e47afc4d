#include "common/grpc/privacy_service.h"

#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crypto/sealed.h"
#include "common/db/rows.h"
#include "common/grpc/handlers.h"
#include "common/ids/resource_id.h"
#include "common/status/status.h"
#include "common/time/date.h"

namespace touyan {
namespace {

using privacy::v1::ExportPersonalDataRequest;
using privacy::v1::PersonalDataExport;
using Json = nlohmann::json;
using Sections = std::map<std::pair<std::string, std::string>, Json>;  // (service, kind) → rows

// The rows as the person may read them: sealed values opened under their
// plain names, blind indexes (meaningless to anyone) left out.
Json Opened(const crypto::Keyring* keys, const std::string& kind, Json rows) {
  for (Json& row : rows) {
    if (!row.is_object()) continue;
    const std::string county = row.value("county_code", "");
    Json out = Json::object();
    for (auto& [key, value] : row.items()) {
      if (absl::EndsWith(key, "_index")) continue;
      if (absl::EndsWith(key, "_sealed")) {
        const std::string name = key.substr(0, key.size() - 7);
        if (value.is_string() && keys != nullptr) {
          absl::string_view hex = value.get_ref<const std::string&>();
          absl::ConsumePrefix(&hex, "\\x");
          absl::StatusOr<std::string> plain =
              keys->Open(absl::HexStringToBytes(hex), crypto::Context(kind, key, county));
          if (!plain.ok()) throw crypto::SealBroken(std::string(plain.status().message()));
          out[name] = *std::move(plain);
        } else if (!out.contains(name)) {
          out[name] = nullptr;
        }
        continue;
      }
      // A plaintext column a sealed one replaced is empty: it does not hide the opened value.
      if (!out.contains(key) || out[key].is_null()) out[key] = value;
    }
    row = std::move(out);
  }
  return rows;
}

void Merge(Sections& sections, const std::string& service, const std::string& kind,
           const Json& rows) {
  Json& all = sections[{service, kind}];
  if (all.is_null()) all = Json::array();
  for (const Json& row : rows) all.push_back(row);
}

}  // namespace

TOUYAN_UNARY(PrivacyService, ExportPersonalData, ExportPersonalDataRequest, PersonalDataExport)

absl::StatusOr<PersonalDataExport> PrivacyService::DoExportPersonalData(
    CallContext& call, const ExportPersonalDataRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("cadre_id", r.cadre_id()));
  const auth::Principal& p = call.principal();
  if (!p.SeesResidentIds()) {
    return WithReason(
        absl::PermissionDeniedError("only the city organisation department and county operators "
                                    "answer personal-information requests"),
        "ROLE_NOT_ALLOWED");
  }
  RETURN_IF_ERROR(WithField(p.CheckCovers(id.county_code + "000000"), "cadre_id"));

  Sections sections;
  auto take = [&](const PersonalDataExport& part) -> absl::Status {
    for (const auto& s : part.sections()) {
      Json rows = Json::parse(s.json(), nullptr, false);
      if (!rows.is_array())
        return absl::InternalError(
            absl::StrCat(s.service(), " exported a section that is not a JSON array"));
      Merge(sections, s.service(), s.kind(), rows);
    }
    return absl::OkStatus();
  };
  auto from = [&](const std::string& service, const ResourceId& record) -> absl::Status {
    ExportPersonalDataRequest one;
    one.set_cadre_id(record.ToString());
    auto stub = privacy::v1::PrivacyService::NewStub(rt_.downstream(service).channel());
    ASSIGN_OR_RETURN(
        PersonalDataExport part,
        rt_.downstream(service).Call(p, call.deadline(), *stub,
                                     &privacy::v1::PrivacyService::Stub::ExportPersonalData, one));
    return take(part);
  };

  // The person's records — one per county a transfer left — come from
  // personnel first; the other services are asked about each.
  std::vector<ResourceId> records = {id};
  for (const std::string& service : includes_) {
    if (service != "personnel") continue;
    RETURN_IF_ERROR(from(service, id));
    auto cadres = sections.find({"personnel", "cadres"});
    if (cadres == sections.end()) continue;
    for (const Json& c : cadres->second) {
      ResourceId other{c.value("county_code", ""), c.value("id", int64_t{0})};
      if (other.county_code != id.county_code || other.number != id.number)
        records.push_back(other);
    }
  }
  const std::string self = rt_.options().service;
  for (const ResourceId& record : records) {
    for (const std::string& service : includes_) {
      if (service != "personnel") RETURN_IF_ERROR(from(service, record));
    }
    using Rows = std::vector<std::pair<std::string, Json>>;
    absl::StatusOr<Rows> own = call.Read<Rows>([&](db::Tx& tx) -> absl::StatusOr<Rows> {
      Rows out;
      for (const PersonalDataQuery& q : queries_) {
        const std::string text =
            tx.exec_params1(
                  absl::StrCat(
                      "WITH target AS (SELECT $1::text AS county_code, $2::bigint AS number, "
                      "$3::text AS cadre_id) SELECT coalesce(json_agg(row_to_json(x)), '[]')::text "
                      "FROM (",
                      q.sql, ") x"),
                  record.county_code, record.number, record.ToString())[0]
                .as<std::string>();
        out.emplace_back(q.kind, Opened(call.keys(), q.kind, Json::parse(text)));
      }
      return out;
    });
    if (!own.ok()) return own.status();
    for (auto& [kind, rows] : *own) Merge(sections, self, kind, rows);
  }
  if (auto cadres = sections.find({"personnel", "cadres"});
      self == "personnel" && (cadres == sections.end() || cadres->second.empty())) {
    return WithField(NotFound("cadre_id", "cadre", id.ToString()), "cadre_id");
  }

  call.RecordAccess(id.county_code, "cadres/" + id.ToString(), "export");
  PersonalDataExport out;
  out.set_cadre_id(id.ToString());
  *out.mutable_export_time() = TimestampFromMicros(absl::ToUnixMicros(absl::Now()));
  for (const auto& [key, rows] : sections) {
    auto* s = out.add_sections();
    s->set_service(key.first);
    s->set_kind(key.second);
    s->set_json(rows.dump());
  }
  return out;
}

}  // namespace touyan
