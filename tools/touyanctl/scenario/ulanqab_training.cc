// The Ulanqab 2023 scenario: training classes, attendance, catch-up, visits.
#include "tools/touyanctl/scenario/ulanqab.h"

namespace touyan::ctl::scenario::u23 {

// ---------------------------------------------------------------- training

tv1::TrainingClass Ulanqab::NewClass(
    tv1::Tier tier, const std::string& region, const std::string& title, int capacity,
    std::vector<std::pair<google::type::Date, google::type::Date>> segments) {
  tv1::TrainingClass c;
  c.set_tier(tier);
  c.set_region_code(region);
  c.set_title(title);
  c.set_theme(kTheme);
  c.set_year(kYear);
  c.add_formats(tv1::FORMAT_LECTURE);
  c.add_formats(tier == tv1::TIER_TOWNSHIP ? tv1::FORMAT_TOPIC_PRACTICE : tv1::FORMAT_SEMINAR);
  if (tier == tv1::TIER_CITY) c.add_formats(tv1::FORMAT_FIELD_VISIT);
  c.set_venue(tier == tv1::TIER_CITY
                  ? "中共乌兰察布市委党校"
                  : absl::StrCat(names_[region.substr(0, 6) + "000000"], "委党校"));
  c.set_venue_kind(tier == tv1::TIER_CITY     ? tv1::VENUE_KIND_CITY_PARTY_SCHOOL
                   : tier == tv1::TIER_COUNTY ? tv1::VENUE_KIND_COUNTY_PARTY_SCHOOL
                                              : tv1::VENUE_KIND_OTHER);
  c.set_capacity(capacity);
  c.set_completion_min_percent(80);
  int k = 1;
  for (const auto& [from, to] : segments) {
    auto* s = c.add_segments();
    s->set_title(absl::StrCat("第", k++, "段"));
    *s->mutable_start_date() = from;
    *s->mutable_end_date() = to;
  }
  return c;
}

std::string Ulanqab::CreateClass(const std::string& rid, const tv1::TrainingClass& c) {
  tv1::CreateClassRequest req;
  req.set_request_id(rid);
  *req.mutable_training_class() = c;
  return s_
      .Call(s_.training(), &tv1::TrainingService::Stub::CreateClass, req, *city_, "CreateClass")
      .id();
}

void Ulanqab::Attend(const std::string& class_id, int segments,
                     const std::vector<tv1::Enrolment>& enrolments,
                     const std::set<std::string>& absent, const std::string& rid) {
  for (int seg = 1; seg <= segments; ++seg) {
    for (size_t i = 0; i < enrolments.size(); i += 1000) {
      tv1::RecordAttendanceRequest req;
      req.set_request_id(absl::StrCat(rid, "-", seg, "-", i));
      req.set_class_id(class_id);
      req.set_segment_number(seg);
      for (size_t k = i; k < std::min(enrolments.size(), i + 1000); ++k) {
        auto* m = req.add_marks();
        m->set_enrolment_id(enrolments[k].id());
        m->set_status(absent.count(enrolments[k].id()) ? tv1::ATTENDANCE_STATUS_ABSENT
                                                       : tv1::ATTENDANCE_STATUS_PRESENT);
      }
      s_.Call(s_.training(), &tv1::TrainingService::Stub::RecordAttendance, req, *city_,
              "RecordAttendance");
    }
  }
}

void Ulanqab::Training() {
  // Two city demonstration classes of village secretaries.
  const int64_t city_n = want_.city_trainees;
  std::vector<size_t> city_people;
  std::vector<size_t> villages_only;
  for (size_t v = 0; v < villages_; ++v) {
    if (orgs_[v].kind == pv1::PARTY_ORG_KIND_VILLAGE) villages_only.push_back(v);
  }
  for (int64_t k = 0; k < city_n; ++k) {
    city_people.push_back(villages_only[static_cast<size_t>(k) * villages_only.size() / city_n]);
  }
  std::set<size_t> in_city(city_people.begin(), city_people.end());
  struct Planned {
    std::string id;
    int segments = 2;
    std::vector<tv1::Trainee> trainees;
    std::vector<tv1::Enrolment> enrolled;
    std::set<std::string> absent_cadres;
  };
  std::vector<Planned> classes;
  for (int c = 0; c < 2; ++c) {
    Planned pl;
    pl.id = CreateClass(
        Rid("city-class", c),
        NewClass(
            tv1::TIER_CITY, kCity,
            absl::StrCat("全市嘎查村党组织书记乡村振兴专题示范培训班（第", c + 1, "期）"),
            static_cast<int>(city_n / 2 + 1),
            c == 0
                ? std::vector<std::pair<google::type::Date, google::type::Date>>{{D(2023, 4, 17),
                                                                                  D(2023, 4, 21)},
                                                                                 {D(2023, 5, 15),
                                                                                  D(2023, 5, 19)}}
                : std::vector<std::pair<google::type::Date, google::type::Date>>{
                      {D(2023, 7, 10), D(2023, 7, 14)}, {D(2023, 8, 14), D(2023, 8, 18)}}));
    classes.push_back(pl);
  }
  for (size_t k = 0; k < city_people.size(); ++k) {
    tv1::Trainee t;
    t.set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
    t.set_cadre_id(orgs_[city_people[k]].secretary_id);
    classes[k % 2].trainees.push_back(t);
  }
  // County classes: every village's secretary, its committee members, a
  // work-team cadre and farmers and herders until the county's share of
  // 45,000 is reached.
  std::vector<int64_t> weights;
  std::map<std::string, std::vector<size_t>> villages_of;
  for (size_t v = 0; v < villages_; ++v) villages_of[orgs_[v].county].push_back(v);
  for (const auto& c : counties_) weights.push_back(static_cast<int64_t>(villages_of[c].size()));
  const auto class_counts = Apportion(want_.county_classes, weights);
  const int64_t farmers =
      std::max<int64_t>(0, want_.county_trainees + 100 - 4 * static_cast<int64_t>(villages_));
  const auto farmer_counts = Apportion(farmers, weights);
  const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵",
                            "郭", "马", "高", "乌", "巴", "其", "苏"};
  int64_t person = 0;
  for (size_t ci = 0; ci < counties_.size(); ++ci) {
    const std::string& county = counties_[ci];
    const size_t first = classes.size();
    const int64_t k = std::max<int64_t>(1, class_counts[ci]);
    for (int64_t j = 0; j < k; ++j) {
      Planned pl;
      const int month = 3 + static_cast<int>(j % 8);
      pl.id = CreateClass(
          Rid("county-class", absl::StrCat(county, "-", j)),
          NewClass(
              tv1::TIER_COUNTY, county,
              absl::StrCat(names_[county], "乡村振兴专题培训班（第", j + 1, "期）"), 100000,
              {{D(2023, month, 6), D(2023, month, 8)}, {D(2023, month, 20), D(2023, month, 21)}}));
      classes.push_back(pl);
    }
    auto add = [&](tv1::Trainee t, size_t slot) {
      classes[first + slot % k].trainees.push_back(std::move(t));
    };
    size_t slot = 0;
    for (size_t v : villages_of[county]) {
      const Org& o = orgs_[v];
      tv1::Trainee sec;
      sec.set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
      sec.set_cadre_id(o.secretary_id);
      // One in 25 misses the county class (and is caught up by the township).
      if (!in_city.count(v) && Pick(o.region, 25, o_.seed) == 0) {
        classes[first + slot % k].absent_cadres.insert(o.secretary_id);
      }
      add(sec, slot++);
      for (const auto& m : o.members) {
        tv1::Trainee c;
        c.set_kind(tv1::TRAINEE_KIND_VILLAGE_CADRE);
        c.set_cadre_id(m);
        add(c, slot++);
      }
      tv1::Trainee w;
      w.set_kind(tv1::TRAINEE_KIND_WORK_TEAM_CADRE);
      w.set_name(absl::StrCat(surnames[person++ % 14], "驻村队员", v + 1));
      w.set_region_code(o.region);
      add(w, slot++);
    }
    const auto& vs = villages_of[county];
    for (int64_t x = 0; x < farmer_counts[ci]; ++x) {
      tv1::Trainee fh;
      fh.set_kind(tv1::TRAINEE_KIND_FARMER_HERDER);
      fh.set_name(absl::StrCat(surnames[person++ % 14], "农牧民", x + 1));
      fh.set_region_code(orgs_[vs[static_cast<size_t>(x) % vs.size()]].region);
      add(fh, slot++);
    }
  }
  // Enrol everyone, many calls in flight.
  std::vector<std::pair<size_t, size_t>> work;
  for (size_t c = 0; c < classes.size(); ++c) {
    classes[c].enrolled.resize(classes[c].trainees.size());
    for (size_t t = 0; t < classes[c].trainees.size(); ++t) work.push_back({c, t});
  }
  Progress p("training: enrolments (city and county classes)", static_cast<int64_t>(work.size()));
  ParallelFor(static_cast<int64_t>(work.size()), o_.threads, &p, [&](int64_t i) {
    auto [c, t] = work[i];
    tv1::EnrolRequest req;
    req.set_request_id(Rid("enrol", absl::StrCat(c, "-", t)));
    req.set_class_id(classes[c].id);
    *req.mutable_trainee() = classes[c].trainees[t];
    classes[c].enrolled[t] =
        s_.Call(s_.training(), &tv1::TrainingService::Stub::Enrol, req, *city_, "Enrol");
  });
  p.Done();
  Progress a("training: attendance", static_cast<int64_t>(classes.size()));
  ParallelFor(static_cast<int64_t>(classes.size()), o_.threads, &a, [&](int64_t c) {
    std::set<std::string> absent;
    for (const auto& e : classes[c].enrolled) {
      if (classes[c].absent_cadres.count(e.trainee().cadre_id())) absent.insert(e.id());
    }
    Attend(classes[c].id, classes[c].segments, classes[c].enrolled, absent, Rid("attend", c));
  });
  a.Done();
}

void Ulanqab::CatchUp(const std::string& tag, const google::type::Date& first,
                      const google::type::Date& last) {
  Progress t("training: township catch-up classes (" + tag + ")",
             static_cast<int64_t>(counties_.size()));
  ParallelFor(static_cast<int64_t>(counties_.size()), o_.threads, &t, [&](int64_t ci) {
    tv1::GetCoverageRequest gc;
    gc.set_year(kYear);
    gc.set_theme(kTheme);
    gc.set_region_code(counties_[ci]);
    auto cov =
        s_.Call(s_.training(), &tv1::TrainingService::Stub::GetCoverage, gc, *city_, "GetCoverage");
    for (const auto& u : cov.townships()) {
      if (u.missing() == 0) continue;
      const std::string id =
          CreateClass(Rid(tag + "-class", u.region_code()),
                      NewClass(tv1::TIER_TOWNSHIP, u.region_code(),
                               absl::StrCat(names_[u.region_code()], "嘎查村党组织书记兜底轮训班"),
                               static_cast<int>(u.missing() + 5), {{first, last}}));
      tv1::EnrolUncoveredRequest eu;
      eu.set_request_id(
          Rid(tag == "township" ? "enrol-uncovered" : "enrol-uncovered-" + tag, u.region_code()));
      eu.set_class_id(id);
      auto got = s_.Call(s_.training(), &tv1::TrainingService::Stub::EnrolUncovered, eu, *city_,
                         "EnrolUncovered");
      std::vector<tv1::Enrolment> es(got.enrolments().begin(), got.enrolments().end());
      Attend(id, 1, es, {}, Rid("attend-" + tag, u.region_code()));
    }
  });
  t.Done();
}

void Ulanqab::Visits() {
  std::vector<size_t> villages_only;
  for (size_t v = 0; v < villages_; ++v) {
    if (orgs_[v].kind == pv1::PARTY_ORG_KIND_VILLAGE) villages_only.push_back(v);
  }
  // The March field visit to 察右后旗, in groups of up to 1,000.
  std::vector<std::string> visitors;
  for (size_t v : villages_only) visitors.push_back(orgs_[v].secretary_id);
  for (size_t i = 0; i < visitors.size(); i += 1000) {
    tv1::CreateFieldVisitRequest req;
    req.set_request_id(Rid("field-visit", i));
    auto* fv = req.mutable_field_visit();
    fv->set_organiser_region_code(kCity);
    fv->set_title(absl::StrCat("赴察右后旗推进乡村振兴现场观摩学习（第", i / 1000 + 1, "组）"));
    fv->set_destination_region_code(kHouqi);
    fv->add_sites("乌兰哈达苏木望山民宿");
    fv->add_sites("望山庭院");
    *fv->mutable_visit_date() = D(2023, 3, 16 + static_cast<int>(i / 1000));
    for (size_t k = i; k < std::min(visitors.size(), i + 1000); ++k)
      fv->add_participant_cadre_ids(visitors[k]);
    s_.Call(s_.training(), &tv1::TrainingService::Stub::CreateFieldVisit, req, *city_,
            "CreateFieldVisit");
  }
  // Experts and technology commissioners in every township's villages.
  std::map<std::string, std::vector<size_t>> by_township;
  for (size_t v : villages_only) by_township[orgs_[v].township].push_back(v);
  std::vector<std::string> tws;
  for (const auto& [tw, vs] : by_township) tws.push_back(tw);
  Progress e("training: expert visits", static_cast<int64_t>(tws.size()));
  ParallelFor(static_cast<int64_t>(tws.size()), o_.threads, &e, [&](int64_t i) {
    const auto& vs = by_township[tws[i]];
    tv1::CreateExpertVisitRequest req;
    req.set_request_id(Rid("expert", tws[i]));
    auto* x = req.mutable_expert_visit();
    const bool planting = i % 2 == 0;
    x->set_expert_name(absl::StrCat(i % 3 == 0 ? "科技特派员" : "农牧业专家", i + 1, "号"));
    x->set_expert_kind(i % 3 == 0   ? tv1::EXPERT_KIND_TECH_COMMISSIONER
                       : i % 3 == 1 ? tv1::EXPERT_KIND_COLLEGE
                                    : tv1::EXPERT_KIND_RESEARCH_INSTITUTE);
    x->set_expert_organisation(i % 3 == 1 ? "集宁师范学院" : "乌兰察布市农林科学研究所");
    x->set_village_code(orgs_[vs[0]].region);
    *x->mutable_visit_date() = D(2023, 5 + static_cast<int>(i % 4), 10);
    x->set_topic(planting ? tv1::EXPERT_TOPIC_PLANTING : tv1::EXPERT_TOPIC_BREEDING);
    x->set_subject(planting ? "马铃薯脱毒种薯繁育与田间管理" : "肉羊舍饲养殖与疫病防控");
    for (size_t k = 0; k < vs.size() && k < 100; ++k)
      x->add_secretary_cadre_ids(orgs_[vs[k]].secretary_id);
    s_.Call(s_.training(), &tv1::TrainingService::Stub::CreateExpertVisit, req, *city_,
            "CreateExpertVisit");
  });
  e.Done();
  // Practice tasks, quantified to each village with a named person, on the public board.
  Progress pt("training: practice tasks published, progress reported",
              static_cast<int64_t>(counties_.size()));
  ParallelFor(static_cast<int64_t>(counties_.size()), o_.threads, &pt, [&](int64_t ci) {
    const std::string& county = counties_[ci];
    std::vector<size_t> vs;
    for (size_t v : villages_only) {
      if (orgs_[v].county == county) vs.push_back(v);
    }
    if (vs.empty()) return;
    tv1::CreatePracticeTaskRequest req;
    req.set_request_id(Rid("task", county));
    auto* task = req.mutable_task();
    task->set_region_code(county);
    task->set_title("农村牧区人居环境整治：户厕改造");
    task->set_description("两件大事任务分解，量化到村、责任到人，在公开栏公示");
    task->set_year(kYear);
    task->set_unit("户");
    *task->mutable_due_date() = D(2023, 11, 30);
    for (size_t v : vs) {
      auto* q = task->add_quotas();
      q->set_village_code(orgs_[v].region);
      q->set_quantity(20 + static_cast<int64_t>(Pick(orgs_[v].region + "task", 40, o_.seed)));
      q->set_responsible_name(orgs_[v].secretary_name);
      q->set_responsible_cadre_id(orgs_[v].secretary_id);
    }
    auto made = s_.Call(s_.training(), &tv1::TrainingService::Stub::CreatePracticeTask, req, *city_,
                        "CreatePracticeTask");
    tv1::PublishPracticeTaskRequest pub;
    pub.set_request_id(Rid("task-publish", county));
    pub.set_id(made.id());
    s_.Call(s_.training(), &tv1::TrainingService::Stub::PublishPracticeTask, pub, *city_,
            "PublishPracticeTask");
    for (const auto& q : made.quotas()) {
      tv1::ReportPracticeProgressRequest rep;
      rep.set_request_id(Rid("task-progress", q.village_code()));
      rep.set_task_id(made.id());
      rep.set_village_code(q.village_code());
      rep.set_completed(q.quantity() -
                        static_cast<int64_t>(Pick(q.village_code() + "done", 3, o_.seed)));
      *rep.mutable_report_date() = D(2023, 11, 25);
      s_.Call(s_.training(), &tv1::TrainingService::Stub::ReportPracticeProgress, rep, *city_,
              "ReportPracticeProgress");
    }
  });
  pt.Done();
}

}  // namespace touyan::ctl::scenario::u23
