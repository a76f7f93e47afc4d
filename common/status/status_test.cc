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
