#include "common/paging/page_token.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::paging {
namespace {

using touyan::personnel::v1::ListCadresRequest;

TEST(PagerTest, TokensRoundTripForTheSameQuery) {
  Pager pager(std::string(32, 'p'));
  ListCadresRequest req;
  req.set_region_code("150929000000");
  req.set_page_size(50);
  EXPECT_EQ(pager.Begin(req)->size, 50);
  EXPECT_TRUE(pager.Begin(req)->cursor.empty());
  req.set_page_token(pager.Next(req, "150929:42"));
  req.set_page_size(10);  // page size may change between pages
  absl::StatusOr<Page> page = pager.Begin(req);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->cursor, "150929:42");
  EXPECT_EQ(page->size, 10);
}

TEST(PagerTest, RefusesTamperedForeignAndMismatchedTokens) {
  Pager pager(std::string(32, 'p'));
  ListCadresRequest req;
  req.set_region_code("150929000000");
  std::string token = pager.Next(req, "150929:42");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[9] ^= 1;
  req.set_page_token(absl::WebSafeBase64Escape(raw));
  EXPECT_EQ(pager.Begin(req).status().code(), absl::StatusCode::kInvalidArgument);

  req.set_page_token(Pager(std::string(32, 'q')).Next(req, "150929:42"));
  EXPECT_EQ(pager.Begin(req).status().code(), absl::StatusCode::kInvalidArgument);

  req.set_page_token(token);
  req.set_region_code("150902000000");  // another filter
  EXPECT_EQ(pager.Begin(req).status().code(), absl::StatusCode::kInvalidArgument);

  req.set_page_token("%%%");
  EXPECT_EQ(pager.Begin(req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PagerTest, PageSizeIsBounded) {
  Pager pager("k");
  ListCadresRequest req;
  EXPECT_EQ(pager.Begin(req)->size, kDefaultPageSize);
  req.set_page_size(1000000);
  EXPECT_EQ(pager.Begin(req)->size, kMaxPageSize);
  req.set_page_size(-1);
  EXPECT_EQ(pager.Begin(req).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace touyan::paging
