#include "common/idempotency/idempotency.h"

#include "gtest/gtest.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::idempotency {
namespace {

using touyan::personnel::v1::Cadre;
using touyan::personnel::v1::ListCadresResponse;

// A request streamed in parts has the fingerprint of the whole request, so
// a retry is recognised however it is split, and a changed part is not.
TEST(FingerprintTest, BuiltFromPartsEqualsTheWholeRequests) {
  ListCadresResponse whole;
  for (int i = 0; i < 3000; ++i) {  // more than one 64 KiB piece
    Cadre* c = whole.add_cadres();
    c->set_id("150929-" + std::to_string(i));
    c->set_name("名字" + std::to_string(i));
    c->set_region_code("150929100200");
  }
  whole.set_next_page_token("next");
  auto built = [&](const ListCadresResponse& m) {
    FingerprintBuilder b;
    for (const Cadre& c : m.cadres()) b.AddMessage(1, c);
    b.AddString(2, m.next_page_token());
    return b.Finish().sha256;
  };
  const std::string fp = FingerprintOf(whole).sha256;
  EXPECT_EQ(fp.size(), 32u);
  EXPECT_EQ(built(whole), fp);

  ListCadresResponse changed = whole;
  changed.mutable_cadres(2999)->set_name("另一个");
  EXPECT_NE(built(changed), fp);
  EXPECT_EQ(built(changed), FingerprintOf(changed).sha256);

  // An empty string is not written, as in the message's own serialization.
  whole.clear_next_page_token();
  EXPECT_EQ(built(whole), FingerprintOf(whole).sha256);
  EXPECT_NE(FingerprintOf(whole).sha256, fp);

  // Later fields added as a part: its own fields, not a nested message.
  whole.set_next_page_token("next");
  ListCadresResponse tail;
  tail.set_next_page_token("next");
  FingerprintBuilder b;
  for (const Cadre& c : whole.cadres()) b.AddMessage(1, c);
  b.AddFields(tail);
  EXPECT_EQ(b.Finish().sha256, fp);
}

}  // namespace
}  // namespace touyan::idempotency
