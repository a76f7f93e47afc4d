// A finished file (an export) sent as a server stream of
// touyan.files.v1.FileChunk: the first chunk names it, each holds at most
// 64 KiB, the chunks in order are the file.
#ifndef TOUYAN_COMMON_GRPC_FILE_STREAM_H_
#define TOUYAN_COMMON_GRPC_FILE_STREAM_H_

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/call/call_context.h"
#include "common/export/pdf.h"
#include "common/grpc/runtime.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "touyan/files/v1/files.pb.h"

namespace touyan {

inline constexpr char kXlsxType[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
inline constexpr char kPdfType[] = "application/pdf";

class FileSource final : public StreamSource<files::v1::FileChunk> {
 public:
  static constexpr size_t kChunk = 64 * 1024;

  FileSource(std::string filename, std::string content_type, std::string bytes)
      : filename_(std::move(filename)),
        content_type_(std::move(content_type)),
        bytes_(std::move(bytes)) {}

  absl::StatusOr<Next> Produce(CallContext&, files::v1::FileChunk& out) override {
    if (sent_ > 0 && sent_ >= bytes_.size()) return Next::kEnd;
    if (sent_ == 0) {
      out.set_filename(filename_);
      out.set_content_type(content_type_);
      out.set_total_bytes(static_cast<int64_t>(bytes_.size()));
    }
    const size_t n = std::min(kChunk, bytes_.size() - sent_);
    out.set_data(bytes_.substr(sent_, n));
    sent_ += std::max<size_t>(n, 1);  // an empty file is one empty chunk
    return Next::kMessage;
  }

 private:
  const std::string filename_, content_type_, bytes_;
  size_t sent_ = 0;
};

// The region part of an export's file name: the significant digits of
// `region_code` ("150902", "1509"), or of the caller's scope when empty.
inline std::string ExportRegion(const CallContext& call, const std::string& region_code) {
  if (region_code.empty()) return call.principal().scope_prefix;
  absl::StatusOr<std::string> p = auth::RegionPrefix(region_code);
  return p.ok() ? *p : "region";
}

// What every public notice (公示) request carries: the period, where
// objections go, who issues it (fields notice_start, notice_days, contact,
// issuer), checked and turned into the notice's closing paragraphs.
struct NoticeTerms {
  absl::CivilDay start;
  int days = 5;  // Touyan's default, not a rule of the source
  std::string contact, issuer;
};

template <typename Req>
absl::StatusOr<NoticeTerms> NoticeTermsOf(const Req& r) {
  NoticeTerms t;
  ASSIGN_OR_RETURN(t.start, ToCivilDay("notice_start", r.notice_start()));
  t.days = r.notice_days() == 0 ? 5 : r.notice_days();
  if (t.days < 1 || t.days > 30) return InvalidField("notice_days", "must be 1 to 30");
  RETURN_IF_ERROR(ValidateText("contact", r.contact(), 200, true));
  RETURN_IF_ERROR(ValidateText("issuer", r.issuer(), 100, true));
  t.contact = r.contact();
  t.issuer = r.issuer();
  return t;
}

// "2023年12月20日".
inline std::string ChineseDate(absl::CivilDay d) {
  return absl::StrCat(d.year(), "年", d.month(), "月", d.day(), "日");
}

// The period, the objections paragraph and the signature of a notice.
inline void CloseNotice(pdf::Notice& n, const NoticeTerms& t) {
  n.after.push_back(absl::StrCat("公示期：", ChineseDate(t.start), "至",
                                 ChineseDate(t.start + (t.days - 1)), "（", t.days, " 天）。"));
  n.after.push_back(absl::StrCat("公示期间，如有异议，请以书面、电话等方式向", t.contact,
                                 "反映。反映情况应实事求是，以个人名义反映的请署真实姓名。"));
  n.signature = {t.issuer, ChineseDate(t.start)};
}

// What a file call makes: the file's suggested name and its bytes.
struct MadeFile {
  std::string filename;
  std::string bytes;
};

// A server-streaming call answered with the file `make` builds
// (StatusOr<MadeFile>(CallContext&, const Req&); errors before the first
// chunk), its media type from the name's extension (.pdf or .xlsx).
template <typename Req, typename Make>
grpc::ServerWriteReactor<files::v1::FileChunk>* FileStream(Runtime& rt,
                                                           grpc::CallbackServerContext* ctx,
                                                           const Req* req, const char* method,
                                                           Make make) {
  return rt.ServerStream<Req, files::v1::FileChunk>(
      ctx, req, method,
      [make](CallContext& call,
             const Req& r) -> absl::StatusOr<std::unique_ptr<StreamSource<files::v1::FileChunk>>> {
        absl::StatusOr<MadeFile> f = make(call, r);
        if (!f.ok()) return f.status();
        const char* type = absl::EndsWith(f->filename, ".pdf") ? kPdfType : kXlsxType;
        return std::make_unique<FileSource>(std::move(f->filename), type, std::move(f->bytes));
      });
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_FILE_STREAM_H_
