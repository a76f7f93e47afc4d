#include "nlohmann/json.hpp"
#include "tests/support/exported.h"
#include "tests/training/fixture.h"
#include "touyan/events/v1/events.grpc.pb.h"

namespace touyan::testing {
namespace {

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(
    new CallerEnvironment(training::TrainingSpec(), "touyan_test_training"));

TEST_F(TrainingTest, ClassesEnrolToCapacityAndRetriesChangeNothing) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9001, villages[0]);
  const std::string b = MakeSecretary(9002, villages[1]);
  const std::string c = MakeSecretary(9003, villages[2]);

  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-cap",
                        NewClass(tv1::TIER_COUNTY, "150902000000", "capacity", 2), &cls)
                .code,
            grpc::StatusCode::OK);
  EXPECT_EQ(cls.county_code(), "150902");
  ASSERT_EQ(cls.segments_size(), 3);
  EXPECT_EQ(cls.segments(0).number(), 1);

  tv1::Enrolment ea, again;
  ASSERT_EQ(Enrol(jining_, "enr-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(ea.trainee().region_code(), villages[0]);  // from personnel
  EXPECT_FALSE(ea.trainee().name().empty());
  EXPECT_EQ(ea.completion(), tv1::COMPLETION_IN_PROGRESS);
  // The same request again: the first answer, no second seat.
  ASSERT_EQ(Enrol(jining_, "enr-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &again).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(again.id(), ea.id());
  // The same person under a new request id: refused.
  EXPECT_EQ(
      Enrol(jining_, "enr-a2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr).reason,
      "ALREADY_ENROLLED");
  ASSERT_EQ(Enrol(jining_, "enr-b", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, b, nullptr).code,
            grpc::StatusCode::OK);
  Outcome full = Enrol(jining_, "enr-c", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, c, nullptr);
  EXPECT_EQ(full.code, grpc::StatusCode::FAILED_PRECONDITION) << full;
  EXPECT_EQ(full.reason, "CLASS_FULL");
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.enrolments WHERE class_id = " +
                              cls.id().substr(7)),
            2);

  tv1::GetClassRequest get;
  get.set_id(cls.id());
  tv1::TrainingClass now;
  ASSERT_TRUE(training().GetClass(WithToken(jining_).get(), get, &now).ok());
  EXPECT_EQ(now.enrolled(), 2);
}

TEST_F(TrainingTest, ASegmentIsRescheduledOnlyFromTheVersionReadAndOnlyBeforeItTookPlace) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9131, villages[50]);
  tv1::TrainingClass cls, now;
  ASSERT_EQ(
      CreateClass(jining_, "cls-move", NewClass(tv1::TIER_COUNTY, "150902000000", "move", 5), &cls)
          .code,
      grpc::StatusCode::OK);
  ASSERT_FALSE(cls.etag().empty());
  tv1::Enrolment ea;
  ASSERT_EQ(Enrol(jining_, "move-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code,
            grpc::StatusCode::OK);
  auto move = [&](const std::string& rid, int segment, int from, int to, const std::string& etag,
                  tv1::TrainingClass* out, const std::string& token) {
    tv1::RescheduleSegmentRequest req;
    req.set_request_id(rid);
    req.set_class_id(cls.id());
    req.set_segment_number(segment);
    *req.mutable_start_date() = DaysFromToday(from);
    *req.mutable_end_date() = DaysFromToday(to);
    req.set_reason("党校教室检修，顺延五天");
    req.set_etag(etag);
    return OutcomeOf(training().RescheduleSegment(WithToken(token).get(), req, out));
  };
  // Read before the enrolment took a seat: that version is gone.
  Outcome stale = move("move-1", 3, 35, 36, cls.etag(), &now, jining_);
  EXPECT_EQ(stale.code, grpc::StatusCode::ABORTED) << stale;
  EXPECT_EQ(stale.reason, "ETAG_MISMATCH");
  EXPECT_EQ(stale.field, "etag");
  tv1::GetClassRequest get;
  get.set_id(cls.id());
  ASSERT_TRUE(training().GetClass(WithToken(jining_).get(), get, &now).ok());
  EXPECT_EQ(now.segments(2).start_date().day(), DaysFromToday(30).day()) << "nothing moved";
  tv1::TrainingClass moved;
  ASSERT_EQ(move("move-2", 3, 35, 36, now.etag(), &moved, jining_).code, grpc::StatusCode::OK);
  EXPECT_EQ(moved.segments(2).number(), 3);
  EXPECT_EQ(moved.segments(2).start_date().day(), DaysFromToday(35).day());
  EXPECT_EQ(moved.segments(2).end_date().day(), DaysFromToday(36).day());
  EXPECT_EQ(moved.segments(2).reschedule_reason(), "党校教室检修，顺延五天");
  EXPECT_NE(moved.etag(), now.etag());
  tv1::TrainingClass retried;
  ASSERT_EQ(move("move-2", 3, 35, 36, now.etag(), &retried, jining_).code, grpc::StatusCode::OK);
  EXPECT_EQ(retried.etag(), moved.etag()) << "a retry answers as the first call did";

  // Numbers stand for the order; what took place stays; scope and fields.
  Outcome order = move("move-3", 3, -25, -25, "", &now, jining_);
  EXPECT_EQ(order.field, "start_date");
  EXPECT_EQ(order.reason, "SEGMENT_ORDER");
  EXPECT_EQ(move("move-4", 4, 40, 40, "", &now, jining_).field, "segment_number");
  EXPECT_EQ(move("move-5", 3, 40, 39, "", &now, jining_).field, "end_date");
  EXPECT_EQ(move("move-6", 3, 40, 40, "", &now, zhuozi_).code, grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(
      Mark(jining_, "move-mark", cls.id(), 1, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).code,
      grpc::StatusCode::OK);
  EXPECT_EQ(move("move-7", 1, -31, -31, "", &now, jining_).reason, "ATTENDANCE_RECORDED");
  EXPECT_EQ(move("move-8", 2, -19, -19, "", &now, jining_).code, grpc::StatusCode::OK)
      << "segment 2 has no attendance yet";
  tv1::CancelClassRequest cancel;
  cancel.set_request_id("move-cancel");
  cancel.set_id(cls.id());
  cancel.set_reason("已开班，不能撤销");
  EXPECT_EQ(OutcomeOf(training().CancelClass(WithToken(jining_).get(), cancel, &now)).reason,
            "ATTENDANCE_RECORDED");
}

TEST_F(TrainingTest, ACancelledClassTellsItsEnrolmentsInTheChangeStreamAndTakesNoMore) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9141, villages[51]);
  const std::string b = MakeSecretary(9142, villages[52]);
  const std::string c = MakeSecretary(9143, villages[53]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-cancel",
                        NewClass(tv1::TIER_COUNTY, "150902000000", "cancelled", 5), &cls)
                .code,
            grpc::StatusCode::OK);
  tv1::Enrolment ea, eb;
  ASSERT_EQ(Enrol(jining_, "cancel-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(jining_, "cancel-b", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, b, &eb).code,
            grpc::StatusCode::OK);

  // A consumer of the county's enrolments, from this moment.
  namespace ev = ::touyan::events::v1;
  auto events = ev::EventService::NewStub(Training()->channel());
  auto watch = WithToken(jining_);
  watch->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  ev::WatchEventsRequest wreq;
  wreq.add_types("enrolments");
  wreq.set_region_code("150902000000");
  auto reader = events->WatchEvents(watch.get(), wreq);
  ev::WatchEventsResponse msg;
  ASSERT_TRUE(reader->Read(&msg)) << "the stream opens with the token of now";

  tv1::CancelClassRequest cancel;
  cancel.set_request_id("cancel-1");
  cancel.set_id(cls.id());
  cancel.set_reason("");
  tv1::TrainingClass out;
  EXPECT_EQ(OutcomeOf(training().CancelClass(WithToken(jining_).get(), cancel, &out)).field,
            "reason");
  cancel.set_reason("因疫情防控要求取消");
  EXPECT_EQ(OutcomeOf(training().CancelClass(WithToken(zhuozi_).get(), cancel, &out)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  cancel.set_etag(cls.etag());  // read before the enrolments took their seats
  EXPECT_EQ(OutcomeOf(training().CancelClass(WithToken(jining_).get(), cancel, &out)).code,
            grpc::StatusCode::ABORTED);
  cancel.clear_etag();
  ASSERT_EQ(OutcomeOf(training().CancelClass(WithToken(jining_).get(), cancel, &out)).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(out.state(), tv1::CLASS_STATE_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "因疫情防控要求取消");
  EXPECT_EQ(out.cancelled_by(), "jining-op");
  EXPECT_TRUE(out.has_cancel_time());

  // Each enrolled person's enrolment arrives, cancelled.
  std::set<std::string> told;
  while (told.size() < 2 && reader->Read(&msg)) {
    for (const ev::Event& e : msg.events()) {
      nlohmann::json state = nlohmann::json::parse(e.state_json());
      EXPECT_EQ(e.method(), "CancelClass");
      EXPECT_TRUE(state.value("class_cancelled", false)) << e.state_json();
      told.insert(e.resource());
    }
  }
  watch->TryCancel();
  reader->Finish();
  EXPECT_EQ(told, (std::set<std::string>{"enrolments/" + ea.id(), "enrolments/" + eb.id()}));

  // The class takes nobody more; the roster says so; statistics leave it out.
  EXPECT_EQ(
      Enrol(jining_, "cancel-c", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, c, nullptr).reason,
      "CLASS_CANCELLED");
  EXPECT_EQ(
      Mark(jining_, "cancel-mark", cls.id(), 1, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).reason,
      "CLASS_CANCELLED");
  tv1::ListEnrolmentsRequest list;
  list.set_class_id(cls.id());
  tv1::ListEnrolmentsResponse enrolled;
  ASSERT_TRUE(training().ListEnrolments(WithToken(jining_).get(), list, &enrolled).ok());
  ASSERT_EQ(enrolled.enrolments_size(), 2);
  for (const auto& e : enrolled.enrolments()) EXPECT_TRUE(e.class_cancelled());
  tv1::GetEnrolmentRequest get;
  get.set_id(ea.id());
  tv1::Enrolment one;
  ASSERT_TRUE(training().GetEnrolment(WithToken(jining_).get(), get, &one).ok());
  EXPECT_TRUE(one.class_cancelled());
  EXPECT_EQ(one.trainee().cadre_id(), a);
  EXPECT_EQ(training().GetEnrolment(WithToken(zhuozi_).get(), get, &one).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Cancelling again changes nothing.
  cancel.set_request_id("cancel-2");
  tv1::TrainingClass again;
  ASSERT_TRUE(training().CancelClass(WithToken(jining_).get(), cancel, &again).ok());
  EXPECT_EQ(again.etag(), out.etag());
}

TEST_F(TrainingTest, TraineesOfEveryKindAndTheirChecks) {
  const auto villages = VillagesOf("150902");
  const std::string secretary = MakeSecretary(9011, villages[3]);
  const std::string cadre = MakeCadre(9012, villages[3]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-kinds",
                        NewClass(tv1::TIER_COUNTY, "150902000000", "kinds", 50), &cls)
                .code,
            grpc::StatusCode::OK);
  EXPECT_EQ(
      Enrol(jining_, "k1", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, secretary, nullptr).code,
      grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, cadre, nullptr).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k3", cls.id(), tv1::TRAINEE_KIND_WORK_TEAM_CADRE, "", nullptr,
                  "驻村干部甲", villages[3])
                .code,
            grpc::StatusCode::OK);
  EXPECT_EQ(Enrol(jining_, "k4", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "牧民乙",
                  villages[4])
                .code,
            grpc::StatusCode::OK);
  // A cadre without a secretary post is not a secretary.
  Outcome o = Enrol(jining_, "k5", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, cadre, nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "NOT_A_SECRETARY");
  // Unknown cadre, bad id, missing name, another county's person.
  o = Enrol(jining_, "k6", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, "150902-999999", nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::NOT_FOUND) << o;
  EXPECT_EQ(o.field, "trainee.cadre_id");
  o = Enrol(jining_, "k7", cls.id(), tv1::TRAINEE_KIND_VILLAGE_CADRE, "not-an-id", nullptr);
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "trainee.cadre_id");
  o = Enrol(jining_, "k8", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "", villages[4]);
  EXPECT_EQ(o.field, "trainee.name");
  o = Enrol(jining_, "k9", cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr, "外县人",
            "150929100001");
  EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;

  tv1::ListEnrolmentsRequest list;
  list.set_class_id(cls.id());
  list.set_page_size(3);
  std::vector<std::string> seen;
  do {
    tv1::ListEnrolmentsResponse page;
    ASSERT_TRUE(training().ListEnrolments(WithToken(jining_).get(), list, &page).ok());
    for (const auto& e : page.enrolments()) seen.push_back(e.trainee().name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(TrainingTest, CompletionIsComputedFromAttendanceAndFutureSegmentsAreRefused) {
  const auto villages = VillagesOf("150902");
  const std::string a = MakeSecretary(9021, villages[5]);
  const std::string b = MakeSecretary(9022, villages[6]);
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(jining_, "cls-att",
                        NewClass(tv1::TIER_COUNTY, "150902000000", "attendance", 10), &cls)
                .code,
            grpc::StatusCode::OK);
  tv1::Enrolment ea, eb;
  ASSERT_EQ(Enrol(jining_, "att-a", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, &ea).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(jining_, "att-b", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, b, &eb).code,
            grpc::StatusCode::OK);

  // Segment 3 is in 30 days.
  Outcome future =
      Mark(jining_, "att-future", cls.id(), 3, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}});
  EXPECT_EQ(future.code, grpc::StatusCode::FAILED_PRECONDITION) << future;
  EXPECT_EQ(future.reason, "SEGMENT_NOT_STARTED");
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.attendance WHERE enrolment_id IN (" +
                              ea.id().substr(7) + ", " + eb.id().substr(7) + ")"),
            0);
  EXPECT_EQ(Mark(jining_, "att-x", cls.id(), 4, {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).field,
            "segment_number");

  // 60% of 3 segments: 2 attended complete.
  ASSERT_EQ(
      Mark(jining_, "att-1", cls.id(), 1,
           {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}, {eb.id(), tv1::ATTENDANCE_STATUS_ABSENT}})
          .code,
      grpc::StatusCode::OK);
  tv1::RecordAttendanceResponse r;
  ASSERT_EQ(
      Mark(jining_, "att-2", cls.id(), 2,
           {{ea.id(), tv1::ATTENDANCE_STATUS_LATE}, {eb.id(), tv1::ATTENDANCE_STATUS_PRESENT}}, &r)
          .code,
      grpc::StatusCode::OK);
  ASSERT_EQ(r.enrolments_size(), 2);
  EXPECT_EQ(r.enrolments(0).completion(), tv1::COMPLETION_COMPLETED);  // present + late
  EXPECT_EQ(r.enrolments(0).segments_attended(), 2);
  EXPECT_EQ(r.enrolments(1).completion(), tv1::COMPLETION_IN_PROGRESS);  // 1 of 2, one to come
  // A correction: b was in fact present at segment 1.
  ASSERT_EQ(
      Mark(jining_, "att-1-fix", cls.id(), 1, {{eb.id(), tv1::ATTENDANCE_STATUS_PRESENT}}, &r).code,
      grpc::StatusCode::OK);
  EXPECT_EQ(r.enrolments(0).completion(), tv1::COMPLETION_COMPLETED);
  EXPECT_EQ(r.enrolments(0).segments_recorded(), 2);
  // Marks for an enrolment of another class, or twice in one request.
  EXPECT_EQ(
      Mark(jining_, "att-bad", cls.id(), 1, {{"150902-99999", tv1::ATTENDANCE_STATUS_PRESENT}})
          .code,
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      Mark(jining_, "att-dup", cls.id(), 1,
           {{ea.id(), tv1::ATTENDANCE_STATUS_PRESENT}, {ea.id(), tv1::ATTENDANCE_STATUS_ABSENT}})
          .field,
      "marks[1].enrolment_id");
  // An auditor reads but does not write.
  EXPECT_EQ(Mark(auditor_, "att-aud", cls.id(), 1, {{ea.id(), tv1::ATTENDANCE_STATUS_ABSENT}}).code,
            grpc::StatusCode::PERMISSION_DENIED);

  // The roster as a workbook, read with openpyxl, against the API.
  tv1::ExportClassRosterRequest er;
  er.set_class_id(cls.id());
  auto ctx = WithToken(jining_);
  auto reader = training().ExportClassRoster(ctx.get(), er);
  Exported x = ReadExport(*reader);
  ASSERT_EQ(x.end.code, grpc::StatusCode::OK) << x.end;
  EXPECT_EQ(x.filename, "class-" + cls.id() + "-roster.xlsx");
  EXPECT_EQ(x.total_bytes, static_cast<int64_t>(x.bytes.size()));
  nlohmann::json wb = ReadWorkbook(x.bytes);
  ASSERT_TRUE(wb.is_object()) << "openpyxl could not read the workbook";
  const nlohmann::json& sheet = wb["sheets"]["花名册"];
  EXPECT_EQ(sheet["freeze"], "A2") << "the header row stays in view";
  const nlohmann::json& rows = sheet["rows"];
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "序号");
  EXPECT_EQ(rows[0][1], "姓名");
  EXPECT_EQ(rows[0].size(), 5u + 3 + 3) << "five columns, three segments, three totals";
  EXPECT_TRUE(rows[0][5].get<std::string>().starts_with("第1段"));
  tv1::ListEnrolmentsRequest le;
  le.set_class_id(cls.id());
  tv1::ListEnrolmentsResponse listed;
  ASSERT_TRUE(training().ListEnrolments(WithToken(jining_).get(), le, &listed).ok());
  ASSERT_EQ(listed.enrolments_size(), 2);
  for (int i = 0; i < 2; ++i) {
    const tv1::Enrolment& e = listed.enrolments(i);
    const nlohmann::json& row = rows[i + 1];
    EXPECT_EQ(row[0], i + 1);
    EXPECT_EQ(row[1], e.trainee().name());
    EXPECT_EQ(row[2], "村党组织书记");
    EXPECT_EQ(row[4], e.id());
    EXPECT_EQ(row[8], e.segments_attended()) << "a number, not text";
    EXPECT_EQ(sheet["types"][i + 1][8], "n");
    EXPECT_EQ(row[9], e.segments_recorded());
    EXPECT_EQ(row[10], e.completion() == tv1::COMPLETION_COMPLETED ? "已结业" : "进行中");
    EXPECT_TRUE(row[7].is_null()) << "segment 3 not held yet";
  }
  const bool a_first = listed.enrolments(0).id() == ea.id();
  EXPECT_EQ(rows[a_first ? 1 : 2][5], "出勤");
  EXPECT_EQ(rows[a_first ? 1 : 2][6], "迟到");
  EXPECT_EQ(rows[a_first ? 2 : 1][5], "出勤") << "the correction, not the first mark";
  // Columns fit their contents: the segment headers are wider than 序号.
  EXPECT_GT(sheet["widths"]["F"].get<double>(), sheet["widths"]["A"].get<double>());

  // Another county's class, and a bad id: refused before any byte.
  auto other = WithToken(zhuozi_);
  auto denied = training().ExportClassRoster(other.get(), er);
  EXPECT_EQ(ReadExport(*denied).end.code, grpc::StatusCode::PERMISSION_DENIED);
  er.set_class_id("not-an-id");
  auto bad_ctx = WithToken(jining_);
  auto bad = training().ExportClassRoster(bad_ctx.get(), er);
  Exported refused = ReadExport(*bad);
  EXPECT_EQ(refused.end.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.end.field, "class_id");
  EXPECT_EQ(refused.chunks, 0);
}

TEST_F(TrainingTest, CoverageListsExactlyTheMissingAndTheCatchUpClosesTheGap) {
  // 卓资县: three secretaries in one township, two in another.
  const auto t1 = RuralVillagesOf("150921108");
  const auto t2 = RuralVillagesOf("150921109");
  ASSERT_GE(t1.size(), 3u);
  ASSERT_GE(t2.size(), 2u);
  const std::vector<std::string> s = {MakeSecretary(9031, t1[0]), MakeSecretary(9032, t1[1]),
                                      MakeSecretary(9033, t1[2]), MakeSecretary(9034, t2[0]),
                                      MakeSecretary(9035, t2[1])};
  const std::string theme = "乡村振兴";
  tv1::TrainingClass county;
  ASSERT_EQ(CreateClass(zhuozi_, "cov-county",
                        NewClass(tv1::TIER_COUNTY, "150921000000", theme, 100), &county)
                .code,
            grpc::StatusCode::OK);
  tv1::Enrolment e0;
  ASSERT_EQ(
      Enrol(zhuozi_, "cov-e0", county.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s[0], &e0).code,
      grpc::StatusCode::OK);
  ASSERT_EQ(
      Mark(zhuozi_, "cov-m1", county.id(), 1, {{e0.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).code,
      grpc::StatusCode::OK);
  ASSERT_EQ(
      Mark(zhuozi_, "cov-m2", county.id(), 2, {{e0.id(), tv1::ATTENDANCE_STATUS_PRESENT}}).code,
      grpc::StatusCode::OK);

  tv1::Coverage c = Coverage(zhuozi_, "", theme);
  EXPECT_EQ(c.secretaries(), 5);
  EXPECT_EQ(c.covered(), 1);
  EXPECT_EQ(c.missing(), 4);
  ASSERT_EQ(c.townships_size(), 2);
  EXPECT_EQ(c.townships(0).region_code(), "150921108000");
  EXPECT_EQ(c.townships(0).missing(), 2);
  EXPECT_EQ(c.townships(1).missing(), 2);
  // Another theme: nobody is covered.
  EXPECT_EQ(Coverage(zhuozi_, "", "另一个主题").covered(), 0);

  // The missing, paged two at a time, with the township responsible.
  tv1::ListUncoveredRequest list;
  list.set_year(ThisYear());
  list.set_theme(theme);
  list.set_page_size(2);
  std::set<std::string> missing;
  int pages = 0;
  do {
    tv1::ListUncoveredResponse page;
    ASSERT_TRUE(training().ListUncovered(WithToken(zhuozi_).get(), list, &page).ok());
    for (const auto& m : page.secretaries()) {
      missing.insert(m.cadre_id());
      EXPECT_EQ(m.township_code(), m.village_code().substr(0, 9) + "000");
    }
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(missing, (std::set<std::string>{s[1], s[2], s[3], s[4]}));

  // The township's catch-up class takes its two missing secretaries.
  tv1::TrainingClass catchup;
  ASSERT_EQ(CreateClass(zhuozi_, "cov-town",
                        NewClass(tv1::TIER_TOWNSHIP, "150921108000", theme, 10), &catchup)
                .code,
            grpc::StatusCode::OK);
  tv1::EnrolUncoveredRequest bulk;
  bulk.set_request_id("cov-bulk");
  bulk.set_class_id(catchup.id());
  tv1::EnrolUncoveredResponse enrolled;
  ASSERT_TRUE(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &enrolled).ok());
  EXPECT_EQ(enrolled.enrolled(), 2);
  // Retried: the same answer, no new rows.
  tv1::EnrolUncoveredResponse replay;
  ASSERT_TRUE(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &replay).ok());
  EXPECT_EQ(replay.enrolled(), 2);
  std::vector<std::pair<std::string, tv1::AttendanceStatus>> marks;
  for (const auto& e : enrolled.enrolments())
    marks.push_back({e.id(), tv1::ATTENDANCE_STATUS_PRESENT});
  ASSERT_EQ(Mark(zhuozi_, "cov-t1", catchup.id(), 1, marks).code, grpc::StatusCode::OK);
  ASSERT_EQ(Mark(zhuozi_, "cov-t2", catchup.id(), 2, marks).code, grpc::StatusCode::OK);

  c = Coverage(zhuozi_, "", theme);
  EXPECT_EQ(c.covered(), 3);
  EXPECT_EQ(c.townships(0).missing(), 0);
  EXPECT_EQ(c.townships(1).missing(), 2);
  EXPECT_EQ(Coverage(zhuozi_, "150921108000", theme).rate(), 1.0);
  // A county class is not a catch-up class.
  bulk.set_request_id("cov-bulk-county");
  bulk.set_class_id(county.id());
  EXPECT_EQ(OutcomeOf(training().EnrolUncovered(WithToken(zhuozi_).get(), bulk, &replay)).reason,
            "NOT_TOWNSHIP_CLASS");
}

TEST_F(TrainingTest, StatisticsAddUpOverASeededYear) {
  // 商都县: two county classes, trainees of three kinds, one person in both.
  const auto v = VillagesOf("150923");
  const std::string s1 = MakeSecretary(9041, v[0]);
  const std::string s2 = MakeSecretary(9042, v[1]);
  tv1::TrainingClass c1, c2, city;
  ASSERT_EQ(
      CreateClass(shangdu_, "st-c1", NewClass(tv1::TIER_COUNTY, "150923000000", "st", 100), &c1)
          .code,
      grpc::StatusCode::OK);
  ASSERT_EQ(
      CreateClass(shangdu_, "st-c2", NewClass(tv1::TIER_COUNTY, "150923000000", "st", 100), &c2)
          .code,
      grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-1", c1.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s1, nullptr).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-2", c1.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s2, nullptr).code,
            grpc::StatusCode::OK);
  ASSERT_EQ(Enrol(shangdu_, "st-3", c2.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, s1, nullptr).code,
            grpc::StatusCode::OK);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Enrol(shangdu_, absl::StrCat("st-f", i), c2.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "",
                    nullptr, absl::StrCat("农牧民", i), v[2])
                  .code,
              grpc::StatusCode::OK);
  }
  tv1::GetStatisticsRequest req;
  req.set_year(ThisYear());
  req.set_region_code("150923000000");
  tv1::Statistics st;
  ASSERT_TRUE(training().GetStatistics(WithToken(shangdu_).get(), req, &st).ok());
  auto row = [&](const std::string& county, tv1::TraineeKind kind) {
    for (const auto& r : st.rows()) {
      if (r.tier() == tv1::TIER_COUNTY && r.county_code() == county && r.trainee_kind() == kind)
        return r;
    }
    ADD_FAILURE() << "no row " << county << " " << kind;
    return tv1::StatisticsRow();
  };
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).classes(), 2);
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).trainees(), 5);  // s1 counted once
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_UNSPECIFIED).enrolments(), 6);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).trainees(), 2);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).classes(), 2);
  EXPECT_EQ(row("150923", tv1::TRAINEE_KIND_FARMER_HERDER).classes(), 1);
  EXPECT_EQ(row("", tv1::TRAINEE_KIND_FARMER_HERDER).enrolments() +
                row("", tv1::TRAINEE_KIND_VILLAGE_SECRETARY).enrolments(),
            row("", tv1::TRAINEE_KIND_UNSPECIFIED).enrolments());

  // The city sees the city-level classes too.
  ASSERT_EQ(
      CreateClass(city_, "st-city", NewClass(tv1::TIER_CITY, "150900000000", "st", 340), &city)
          .code,
      grpc::StatusCode::OK);
  req.set_region_code("");
  ASSERT_TRUE(training().GetStatistics(WithToken(city_).get(), req, &st).ok());
  bool city_row = false;
  for (const auto& r : st.rows()) city_row |= r.tier() == tv1::TIER_CITY && r.classes() >= 1;
  EXPECT_TRUE(city_row);
}

TEST_F(TrainingTest, AnotherCountysClassIsDeniedTheCitysIsVisible) {
  tv1::TrainingClass jining, city;
  ASSERT_EQ(
      CreateClass(jining_, "sc-j", NewClass(tv1::TIER_COUNTY, "150902000000", "scope", 5), &jining)
          .code,
      grpc::StatusCode::OK);
  ASSERT_EQ(
      CreateClass(city_, "sc-c", NewClass(tv1::TIER_CITY, "150900000000", "scope", 5), &city).code,
      grpc::StatusCode::OK);
  tv1::GetClassRequest get;
  tv1::TrainingClass out;
  get.set_id(jining.id());
  Outcome o = OutcomeOf(training().GetClass(WithToken(siziwang_).get(), get, &out));
  EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;
  EXPECT_EQ(o.field, "id");
  get.set_id(city.id());
  EXPECT_TRUE(training().GetClass(WithToken(siziwang_).get(), get, &out).ok());
  // A county operator cannot organise a city class or another county's.
  EXPECT_EQ(
      CreateClass(siziwang_, "sc-x", NewClass(tv1::TIER_COUNTY, "150902000000", "scope", 5), &out)
          .code,
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      CreateClass(siziwang_, "sc-y", NewClass(tv1::TIER_CITY, "150900000000", "scope", 5), &out)
          .code,
      grpc::StatusCode::PERMISSION_DENIED);
  // Enrolling someone into another county's class.
  EXPECT_EQ(Enrol(siziwang_, "sc-e", jining.id(), tv1::TRAINEE_KIND_FARMER_HERDER, "", nullptr,
                  "某人", "150929100001")
                .code,
            grpc::StatusCode::PERMISSION_DENIED);
  // A county operator enrols its own secretary into the city's class.
  const std::string mine = MakeSecretary(9051, VillagesOf("150929")[0]);
  tv1::Enrolment e;
  ASSERT_EQ(
      Enrol(siziwang_, "sc-mine", city.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, mine, &e).code,
      grpc::StatusCode::OK);
  EXPECT_EQ(e.county_code(), "150929");
  // Lists stay in scope: 四子王旗 sees its own and the city's classes only.
  tv1::ListClassesRequest list;
  list.set_theme("scope");
  tv1::ListClassesResponse classes;
  ASSERT_TRUE(training().ListClasses(WithToken(siziwang_).get(), list, &classes).ok());
  ASSERT_EQ(classes.classes_size(), 1);
  EXPECT_EQ(classes.classes(0).id(), city.id());
}

}  // namespace
}  // namespace touyan::testing
