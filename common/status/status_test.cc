#include "common/status/status.h"

#include "common/grpc/grpc_status.h"
#include "gtest/gtest.h"

namespace touyan {
namespace {

TEST(StatusTest, FieldAndReasonReachTheWire) {
  absl::Status s = NestField(InvalidField("resident_id", "bad checksum", "BAD_CHECKSUM"), "cadre.");
  EXPECT_EQ(*FieldOf(s), "cadre.resident_id");
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ErrorDetails d = DetailsOf(g);
  EXPECT_EQ(d.field, "cadre.resident_id");
  EXPECT_EQ(d.reason, "BAD_CHECKSUM");
}

// An echoed hostile value cannot push the trailers past gRPC's metadata
// limits: the message is cut (at a character boundary), field and reason kept.
TEST(StatusTest, LongMessagesAreCutBeforeTheWire) {
  std::string value;
  for (int i = 0; i < 2000; ++i) value += "是";
  grpc::Status g =
      ToGrpcStatus(InvalidField("code", "'" + value + "' is not a region code", "BAD_REGION_CODE"));
  EXPECT_LE(g.error_message().size(), 512u + 3);
  EXPECT_TRUE(g.error_message().ends_with("…"));
  EXPECT_EQ((g.error_message().size() - 1) % 3, 0u) << "no character cut in half";
  EXPECT_LT(g.error_details().size(), 1500u);
  ErrorDetails d = DetailsOf(g);
  EXPECT_EQ(d.field, "code");
  EXPECT_EQ(d.reason, "BAD_REGION_CODE");
}

TEST(StatusTest, ReasonDefaultsToTheCodeName) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("x"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DetailsOf(g).reason, "NOT_FOUND");
  EXPECT_TRUE(DetailsOf(g).field.empty());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

absl::StatusOr<int> Half(int n) {
  if (n % 2) return absl::InvalidArgumentError("odd");
  return n / 2;
}
absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int h, Half(n));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
}

}  // namespace
}  // namespace touyan
