// Training's field work and practice tasks, concurrent enrolment, hostile
// input, and (last) personnel going down. Same binary as training_test.cc
// (its environment).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/grpc/downstream.h"
#include "tests/support/exported.h"
#include "tests/training/fixture.h"

namespace touyan::testing {
namespace {

TEST_F(TrainingTest, FieldAndExpertVisits) {
  const auto v = VillagesOf("150928");
  const std::string a = MakeSecretary(9061, VillagesOf("150902")[10]);
  const std::string b = MakeSecretary(9062, VillagesOf("150929")[3]);
  tv1::CreateFieldVisitRequest req;
  req.set_request_id("fv-1");
  auto* fv = req.mutable_field_visit();
  fv->set_organiser_region_code("150900000000");
  fv->set_title("赴察右后旗学习观摩");
  fv->set_destination_region_code("150928000000");
  fv->add_sites("望山民宿");
  fv->add_sites("望山庭院, \"quoted\"");
  *fv->mutable_visit_date() = Day(2023, 3, 15);
  fv->add_participant_cadre_ids(a);
  fv->add_participant_cadre_ids(b);
  tv1::FieldVisit out;
  grpc::Status s = training().CreateFieldVisit(WithToken(city_).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.sites(1), "望山庭院, \"quoted\"");  // stored verbatim
  EXPECT_EQ(out.participant_cadre_ids_size(), 2);
  // An unknown participant is named.
  req.set_request_id("fv-2");
  fv->add_participant_cadre_ids("150902-999999");
  Outcome o = OutcomeOf(training().CreateFieldVisit(WithToken(city_).get(), req, &out));
  EXPECT_EQ(o.code, grpc::StatusCode::NOT_FOUND) << o;
  EXPECT_EQ(o.field, "field_visit.participant_cadre_ids[2]");

  tv1::ListFieldVisitsRequest list;
  list.set_year(2023);
  tv1::ListFieldVisitsResponse visits;
  ASSERT_TRUE(training().ListFieldVisits(WithToken(jining_).get(), list, &visits).ok());
  ASSERT_EQ(visits.field_visits_size(), 1);  // the city's visit, seen from a county
  EXPECT_EQ(visits.field_visits(0).sites(0), "望山民宿");

  tv1::CreateExpertVisitRequest ex;
  ex.set_request_id("ev-1");
  auto* e = ex.mutable_expert_visit();
  *e = NewExpertVisit(VillagesOf("150902")[10], a);
  tv1::ExpertVisit ev;
  s = training().CreateExpertVisit(WithToken(jining_).get(), ex, &ev);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ev.county_code(), "150902");
  e->set_village_code(v[0]);
  ex.set_request_id("ev-2");
  EXPECT_EQ(OutcomeOf(training().CreateExpertVisit(WithToken(jining_).get(), ex, &ev)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  tv1::ListExpertVisitsRequest el;
  el.set_topic(tv1::EXPERT_TOPIC_PLANTING);
  tv1::ListExpertVisitsResponse evs;
  ASSERT_TRUE(training().ListExpertVisits(WithToken(jining_).get(), el, &evs).ok());
  EXPECT_EQ(evs.expert_visits_size(), 1);
  ASSERT_TRUE(training().ListExpertVisits(WithToken(siziwang_).get(), el, &evs).ok());
  EXPECT_EQ(evs.expert_visits_size(), 0);

  // By id: the city's visit from a county, as listed; the expert visit in
  // its county only; unknown ids are NOT_FOUND.
  using Stub = tv1::TrainingService::Stub;
  tv1::FieldVisit fv_read;
  ASSERT_EQ(
      GetById(training(), &Stub::GetFieldVisit, jining_, visits.field_visits(0).id(), &fv_read)
          .code,
      grpc::StatusCode::OK);
  EXPECT_EQ(fv_read.DebugString(), visits.field_visits(0).DebugString());
  EXPECT_EQ(GetById(training(), &Stub::GetFieldVisit, jining_, "150900-999999").code,
            grpc::StatusCode::NOT_FOUND);
  tv1::ExpertVisit ev_read;
  EXPECT_EQ(GetById(training(), &Stub::GetExpertVisit, jining_, "", &ev_read).field, "id");
  ASSERT_TRUE(training().ListExpertVisits(WithToken(jining_).get(), el, &evs).ok());
  ASSERT_EQ(evs.expert_visits_size(), 1);
  ASSERT_EQ(
      GetById(training(), &Stub::GetExpertVisit, jining_, evs.expert_visits(0).id(), &ev_read).code,
      grpc::StatusCode::OK);
  EXPECT_EQ(ev_read.DebugString(), evs.expert_visits(0).DebugString());
  EXPECT_EQ(GetById(training(), &Stub::GetExpertVisit, siziwang_, ev_read.id()).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(training(), &Stub::GetExpertVisit, jining_, "150902-999999").code,
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TrainingTest, APublishedTaskIsPublicFrozenAndSuperseded) {
  const auto v = VillagesOf("150902");
  tv1::CreatePracticeTaskRequest create;
  create.set_request_id("task-1");
  auto* t = create.mutable_task();
  t->set_region_code("150902000000");
  t->set_title("发展庭院经济");
  t->set_year(ThisYear());
  t->set_unit("户");
  for (int i = 0; i < 2; ++i) {
    auto* q = t->add_quotas();
    q->set_village_code(v[20 + i]);
    q->set_quantity(10 * (i + 1));
    q->set_responsible_name(absl::StrCat("责任人", i));
  }
  tv1::PracticeTask draft;
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &draft).ok());
  EXPECT_EQ(draft.status(), tv1::TASK_STATUS_DRAFT);
  ASSERT_EQ(draft.quotas_size(), 2);

  // A draft is not public, and may be edited.
  tv1::GetPracticeTaskRequest get;
  get.set_id(draft.id());
  tv1::PracticeTask seen;
  EXPECT_EQ(training().GetPracticeTask(WithToken(siziwang_).get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  tv1::UpdatePracticeTaskRequest update;
  update.set_request_id("task-1-edit");
  update.mutable_task()->set_id(draft.id());
  update.mutable_task()->set_title("发展庭院经济（修订）");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(training().UpdatePracticeTask(WithToken(jining_).get(), update, &seen).ok());
  EXPECT_EQ(seen.title(), "发展庭院经济（修订）");

  tv1::PublishPracticeTaskRequest publish;
  publish.set_request_id("task-1-pub");
  publish.set_id(draft.id());
  tv1::PracticeTask published;
  ASSERT_TRUE(training().PublishPracticeTask(WithToken(jining_).get(), publish, &published).ok());
  EXPECT_EQ(published.status(), tv1::TASK_STATUS_PUBLISHED);
  // Public: another county reads it, quotas included.
  ASSERT_TRUE(training().GetPracticeTask(WithToken(siziwang_).get(), get, &seen).ok());
  EXPECT_EQ(seen.quotas_size(), 2);
  // Frozen.
  update.set_request_id("task-1-edit-2");
  Outcome o = OutcomeOf(training().UpdatePracticeTask(WithToken(jining_).get(), update, &seen));
  EXPECT_EQ(o.code, grpc::StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "TASK_PUBLISHED");

  // Progress, then the roll-up.
  tv1::ReportPracticeProgressRequest rep;
  rep.set_request_id("task-1-p1");
  rep.set_task_id(published.id());
  rep.set_village_code(v[20]);
  rep.set_completed(4);
  *rep.mutable_report_date() = DaysFromToday(-1);
  tv1::PracticeProgressReport pr;
  ASSERT_TRUE(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr).ok());
  rep.set_request_id("task-1-p2");
  rep.set_completed(10);
  *rep.mutable_report_date() = DaysFromToday(0);
  ASSERT_TRUE(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr).ok());
  {  // A report reads back by id, for any caller: its task is on the public board.
    using Stub = tv1::TrainingService::Stub;
    tv1::PracticeProgressReport read;
    ASSERT_EQ(GetById(training(), &Stub::GetPracticeProgressReport, siziwang_, pr.id(), &read).code,
              grpc::StatusCode::OK);
    EXPECT_EQ(read.DebugString(), pr.DebugString());
    EXPECT_EQ(GetById(training(), &Stub::GetPracticeProgressReport, jining_, "150902-999999").code,
              grpc::StatusCode::NOT_FOUND);
    // Every report of the task, not only the latest the roll-up keeps.
    tv1::ListPracticeProgressReportsRequest list;
    list.set_task_id(published.id());
    list.set_village_code(v[20]);
    tv1::ListPracticeProgressReportsResponse reports;
    ASSERT_TRUE(
        training().ListPracticeProgressReports(WithToken(siziwang_).get(), list, &reports).ok());
    ASSERT_EQ(reports.reports_size(), 2);
    EXPECT_EQ(reports.reports(0).completed(), 4);
    EXPECT_EQ(reports.reports(1).DebugString(), pr.DebugString());
    list.set_village_code("1509");
    EXPECT_EQ(
        OutcomeOf(training().ListPracticeProgressReports(WithToken(jining_).get(), list, &reports))
            .field,
        "village_code");
  }
  rep.set_request_id("task-1-p3");
  rep.set_completed(11);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).field,
            "completed");
  rep.set_village_code(v[30]);
  rep.set_completed(1);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).reason,
            "NO_QUOTA");
  tv1::GetPracticeTaskProgressRequest roll;
  roll.set_task_id(published.id());
  tv1::PracticeTaskProgress progress;
  ASSERT_TRUE(training().GetPracticeTaskProgress(WithToken(siziwang_).get(), roll, &progress).ok());
  EXPECT_EQ(progress.quantity(), 30);
  EXPECT_EQ(progress.completed(), 10);
  EXPECT_EQ(progress.villages(), 2);
  EXPECT_EQ(progress.villages_done(), 1);

  // Superseded by a new task once that one is published.
  create.set_request_id("task-2");
  t->set_supersedes(published.id());
  t->mutable_quotas(1)->set_quantity(25);
  tv1::PracticeTask next;
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &next).ok());
  publish.set_request_id("task-2-pub");
  publish.set_id(next.id());
  ASSERT_TRUE(training().PublishPracticeTask(WithToken(jining_).get(), publish, &next).ok());
  ASSERT_TRUE(training().GetPracticeTask(WithToken(jining_).get(), get, &seen).ok());
  EXPECT_EQ(seen.status(), tv1::TASK_STATUS_SUPERSEDED);
  EXPECT_EQ(seen.superseded_by(), next.id());
  rep.set_request_id("task-1-p4");
  rep.set_village_code(v[21]);
  EXPECT_EQ(OutcomeOf(training().ReportPracticeProgress(WithToken(jining_).get(), rep, &pr)).reason,
            "TASK_SUPERSEDED");

  // The public board lists both for anyone; a draft of 集宁区 stays hidden.
  create.set_request_id("task-3");
  t->clear_supersedes();
  ASSERT_TRUE(training().CreatePracticeTask(WithToken(jining_).get(), create, &draft).ok());
  tv1::ListPracticeTasksRequest list;
  tv1::ListPracticeTasksResponse board;
  ASSERT_TRUE(training().ListPracticeTasks(WithToken(siziwang_).get(), list, &board).ok());
  EXPECT_EQ(board.tasks_size(), 2);
  ASSERT_TRUE(training().ListPracticeTasks(WithToken(jining_).get(), list, &board).ok());
  EXPECT_EQ(board.tasks_size(), 3);

  // The board's public notice (公示) as a PDF, read back with pdftotext: the
  // published task (not the superseded one, not the draft), its villages and
  // total quantity, the period and the contact; anyone may print it.
  tv1::PrintPracticeTaskNoticeRequest notice;
  notice.set_region_code("150902000000");
  notice.set_year(ThisYear());
  *notice.mutable_notice_start() = DaysFromToday(0);
  notice.set_notice_days(7);
  notice.set_contact("集宁区委组织部（电话 0474-7654321）");
  notice.set_issuer("中共集宁区委组织部");
  auto print = [&](const std::string& token) {
    auto ctx = WithToken(token);
    auto reader = training().PrintPracticeTaskNotice(ctx.get(), notice);
    return ReadExport(*reader);
  };
  Exported x = print(siziwang_);
  ASSERT_EQ(x.end.code, grpc::StatusCode::OK) << x.end;
  EXPECT_EQ(x.content_type, "application/pdf");
  const std::string text = PdfText(x.bytes);
  ASSERT_FALSE(text.empty()) << "pdftotext could not read the notice";
  EXPECT_NE(text.find(absl::StrCat(ThisYear(), "年度村党组织书记实践锻炼任务公示")),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("发展庭院经济"), std::string::npos) << text;
  EXPECT_EQ(text.find("（修订）"), std::string::npos) << "the superseded task is not on the notice";
  EXPECT_NE(text.find("35"), std::string::npos) << "10 + 25 of the task that replaced it";
  EXPECT_NE(text.find("（7 天）"), std::string::npos) << text;
  EXPECT_NE(text.find("0474-7654321"), std::string::npos);
  notice.clear_issuer();
  Exported bad = print(jining_);
  EXPECT_EQ(bad.end.field, "issuer");
  EXPECT_EQ(bad.chunks, 0);
  notice.set_issuer("中共集宁区委组织部");
  notice.set_region_code("150929000000");
  EXPECT_EQ(print(siziwang_).end.reason, "NOTHING_PUBLISHED");
}

TEST_F(TrainingTest, SixteenClientsRaceForFiveSeats) {
  const auto v = RuralVillagesOf("150926");
  tv1::TrainingClass cls;
  ASSERT_EQ(CreateClass(Personnel()->Token(Role::kCountyOperator, "150926000000", "qianqi"),
                        "race-cls", NewClass(tv1::TIER_COUNTY, "150926000000", "race", 5), &cls)
                .code,
            grpc::StatusCode::OK);
  const std::string token = Personnel()->Token(Role::kCountyOperator, "150926000000", "qianqi");
  std::vector<grpc::StatusCode> codes(16);
  std::vector<std::string> reasons(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Outcome o = Enrol(token, absl::StrCat("race-", i), cls.id(), tv1::TRAINEE_KIND_FARMER_HERDER,
                        "", nullptr, absl::StrCat("牧民", i), v[i % v.size()]);
      codes[i] = o.code;
      reasons[i] = o.reason;
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (int i = 0; i < 16; ++i) {
    if (codes[i] == grpc::StatusCode::OK) {
      ++ok;
    } else {
      EXPECT_EQ(reasons[i], "CLASS_FULL") << i;
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(Training()->Count("SELECT count(*) FROM training.enrolments WHERE class_id = " +
                              cls.id().substr(7)),
            5);
  EXPECT_EQ(
      Training()->Count("SELECT enrolled FROM training.classes WHERE id = " + cls.id().substr(7)),
      5);
}

// Last: stops personnel. Training answers UNAVAILABLE within its deadline,
// and works again once personnel is back.
// Hostile values in every string and number field of training's main
// mutations (tests/support/hostile.h): stored verbatim and read back
// identical, or refused naming the field; never INTERNAL.
TEST_F(TrainingTest, HostileInputIsStoredVerbatimOrRefusedNamingTheField) {
  tv1::CreateClassRequest cls;
  *cls.mutable_training_class() = NewClass(tv1::TIER_COUNTY, "150902000000", "乡村振兴", 50);
  const std::string op = jining_;
  HostileSweep::SweepMutation<tv1::TrainingClass>(
      cls, "training_class.", {"id", "county_code", "cancel_reason", "cancelled_by", "etag"},
      [&](const tv1::CreateClassRequest& r, tv1::TrainingClass* a) {
        return training().CreateClass(WithToken(op).get(), r, a);
      },
      HostileSweep::ReadById(training(), &tv1::TrainingService::Stub::GetClass, op));

  const std::string secretary = MakeSecretary(7301, RuralVillagesOf("150902105")[5]);
  tv1::CreateExpertVisitRequest ex;
  *ex.mutable_expert_visit() = NewExpertVisit(RuralVillagesOf("150902105")[5], secretary);
  HostileSweep::SweepMutation<tv1::ExpertVisit>(
      ex, "expert_visit.", {"id", "county_code"},
      [&](const tv1::CreateExpertVisitRequest& r, tv1::ExpertVisit* a) {
        return training().CreateExpertVisit(WithToken(op).get(), r, a);
      });

  tv1::CreatePracticeTaskRequest task;
  auto* t = task.mutable_task();
  t->set_region_code("150902000000");
  t->set_title("发展庭院经济");
  t->set_year(ThisYear());
  t->set_unit("户");
  auto* q = t->add_quotas();
  q->set_village_code(RuralVillagesOf("150902105")[6]);
  q->set_quantity(10);
  q->set_responsible_name("责任人");
  HostileSweep::SweepMutation<tv1::PracticeTask>(
      task, "task.", {"id", "county_code", "superseded_by", "etag"},
      [&](const tv1::CreatePracticeTaskRequest& r, tv1::PracticeTask* a) {
        return training().CreatePracticeTask(WithToken(op).get(), r, a);
      },
      HostileSweep::ReadById(training(), &tv1::TrainingService::Stub::GetPracticeTask, op));
}

// A TCP relay on 127.0.0.1 to `target_port` that holds every new connection
// for `delay` before it forwards anything: a handshake on a loaded machine.
class SlowRelay {
 public:
  SlowRelay(int target_port, std::chrono::milliseconds delay) : target_(target_port) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(listener_, 16) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "relay: cannot listen";
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this, delay] {
      for (;;) {
        const int in = accept(listener_, nullptr, nullptr);
        if (in < 0) return;
        pipes_.emplace_back([this, in, delay] { Relay(in, delay); });
      }
    });
  }
  ~SlowRelay() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    acceptor_.join();
    for (auto& t : pipes_) t.join();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  void Relay(int in, std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
    const int out = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(target_);
    if (connect(out, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      pollfd fds[2] = {{in, POLLIN, 0}, {out, POLLIN, 0}};
      char buf[16384];
      while (!stopping_ && poll(fds, 2, 100) >= 0) {
        bool closed = false;
        for (int i = 0; i < 2 && !closed; ++i) {
          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const ssize_t n = read(fds[i].fd, buf, sizeof buf);
          closed = n <= 0 || write(fds[1 - i].fd, buf, n) != n;
        }
        if (closed) break;
      }
    }
    close(out);
    close(in);
  }

  int target_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> pipes_;  // touched by the acceptor only, until it is joined
};

// A downstream whose first handshake takes longer than the reconnect
// back-off (100 ms) is still waited for: the connection attempt is given the
// downstream timeout, not the back-off, so the first calls of a loaded
// service do not fail with UNAVAILABLE.
TEST_F(TrainingTest, ASlowFirstHandshakeWithPersonnelIsWaitedFor) {
  const std::string a = MakeSecretary(9072, VillagesOf("150902")[41]);
  const std::string address = Personnel()->address();
  SlowRelay relay(std::stoi(address.substr(address.rfind(':') + 1)),
                  std::chrono::milliseconds(400));
  Downstream personnel("personnel", relay.address(), absl::Seconds(3),
                       ChannelCredentialsFor(ServerTls("training")));
  auto stub = pv1::PersonnelService::NewStub(personnel.channel());
  auth::Principal op;
  op.bearer = jining_;
  pv1::GetCadreRequest get;
  get.set_id(a);
  auto got = personnel.Call(op, absl::Now() + absl::Seconds(3), *stub,
                            &pv1::PersonnelService::Stub::GetCadre, get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id(), a);
}

TEST_F(TrainingTest, ZPersonnelDownIsUnavailableAndRecovers) {
  const std::string a = MakeSecretary(9071, VillagesOf("150902")[40]);
  tv1::TrainingClass cls;
  ASSERT_EQ(
      CreateClass(jining_, "down-cls", NewClass(tv1::TIER_COUNTY, "150902000000", "down", 10), &cls)
          .code,
      grpc::StatusCode::OK);
  Personnel()->Stop();
  const auto start = std::chrono::steady_clock::now();
  Outcome o = Enrol(jining_, "down-1", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(o.code, grpc::StatusCode::UNAVAILABLE) << o;
  EXPECT_EQ(o.reason, "DOWNSTREAM_UNAVAILABLE");
  EXPECT_LT(took, std::chrono::seconds(5));
  tv1::GetCoverageRequest cov;
  cov.set_year(ThisYear());
  cov.set_theme("down");
  tv1::Coverage c;
  EXPECT_EQ(training().GetCoverage(WithToken(jining_).get(), cov, &c).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Reads that need no personnel still work.
  tv1::GetClassRequest get;
  get.set_id(cls.id());
  tv1::TrainingClass seen;
  EXPECT_TRUE(training().GetClass(WithToken(jining_).get(), get, &seen).ok());

  Personnel()->Restart();
  grpc::StatusCode code = grpc::StatusCode::UNAVAILABLE;
  const auto back = std::chrono::steady_clock::now();
  while (code == grpc::StatusCode::UNAVAILABLE &&
         std::chrono::steady_clock::now() - back < std::chrono::seconds(10)) {
    code = Enrol(jining_, "down-2", cls.id(), tv1::TRAINEE_KIND_VILLAGE_SECRETARY, a, nullptr).code;
    if (code == grpc::StatusCode::UNAVAILABLE)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(code, grpc::StatusCode::OK);
  EXPECT_LT(std::chrono::steady_clock::now() - back, std::chrono::seconds(5));
}

}  // namespace
}  // namespace touyan::testing
