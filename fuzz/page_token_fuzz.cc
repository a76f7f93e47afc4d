// Any byte string as a page token (and any bytes as the request around it):
// decoding never crashes and accepts only tokens the pager made.
#include <cstdint>
#include <string>

#include "common/paging/page_token.h"
#include "touyan/personnel/v1/personnel.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  touyan::paging::Pager pager("fuzz-page-key");
  touyan::personnel::v1::ListCadresRequest req;
  size_t half = size / 2;
  (void)req.ParseFromArray(data, static_cast<int>(half));
  req.set_page_token(std::string(reinterpret_cast<const char*>(data + half), size - half));
  auto page = pager.Begin(req);
  if (page.ok() && !req.page_token().empty()) {
    // Accepted: it must be what the pager itself makes for this query.
    if (pager.Next(req, page->cursor) != req.page_token()) __builtin_trap();
  }
  return 0;
}
