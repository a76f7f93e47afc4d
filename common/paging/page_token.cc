#include "common/paging/page_token.h"

#include <openssl/crypto.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace touyan::paging {
namespace {

constexpr size_t kFingerprintBytes = 8;
constexpr size_t kMacBytes = 16;

// The query without its paging fields: a token is valid only for it.
std::string QueryFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> q(request.New());
  q->CopyFrom(request);
  const auto* d = q->GetDescriptor();
  for (const char* name : {"page_size", "page_token"}) {
    if (const auto* f = d->FindFieldByName(name)) q->GetReflection()->ClearField(q.get(), f);
  }
  std::string bytes = std::string(d->full_name()) + "|";
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    q->SerializeToCodedStream(&coded);
  }
  return auth::Sha256(bytes).substr(0, kFingerprintBytes);
}

}  // namespace

absl::StatusOr<Page> Pager::Begin(const google::protobuf::Message& request) const {
  const auto* d = request.GetDescriptor();
  const auto* r = request.GetReflection();
  Page page;
  if (const auto* f = d->FindFieldByName("page_size")) {
    int32_t n = r->GetInt32(request, f);
    if (n < 0) return InvalidField("page_size", "must not be negative");
    page.size = n == 0 ? kDefaultPageSize : std::min(n, kMaxPageSize);
  }
  const auto* tf = d->FindFieldByName("page_token");
  std::string token = tf ? r->GetString(request, tf) : std::string();
  if (token.empty()) return page;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < kFingerprintBytes + kMacBytes) {
    return InvalidField("page_token", "is not a token this service issued", "BAD_PAGE_TOKEN");
  }
  std::string body = raw.substr(0, raw.size() - kMacBytes);
  std::string mac = auth::HmacSha256(key_, body).substr(0, kMacBytes);
  if (CRYPTO_memcmp(mac.data(), raw.data() + body.size(), kMacBytes) != 0) {
    return InvalidField("page_token", "is not a token this service issued", "BAD_PAGE_TOKEN");
  }
  if (body.compare(0, kFingerprintBytes, QueryFingerprint(request)) != 0) {
    return InvalidField("page_token", "belongs to a different query: repeat the same filters",
                        "PAGE_TOKEN_MISMATCH");
  }
  page.cursor = body.substr(kFingerprintBytes);
  return page;
}

std::string Pager::Next(const google::protobuf::Message& request, const std::string& cursor) const {
  std::string body = QueryFingerprint(request) + cursor;
  return absl::WebSafeBase64Escape(body + auth::HmacSha256(key_, body).substr(0, kMacBytes));
}

}  // namespace touyan::paging
