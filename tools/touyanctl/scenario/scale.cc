// The national-scale scenario: N villages in synthetic counties of a
// synthetic province ("71"), their secretaries imported by the streaming
// APIs, one contest round per county and the assessment, then every list
// and report a region scopes, each stage timed.
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/grpc/grpc_status.h"
#include "google/protobuf/message.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/generic.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/scenario.h"

namespace touyan::ctl::scenario {
namespace {

constexpr char kProvince[] = "710000000000";
constexpr int kYear = 2023;
constexpr int kCountiesPerCity = 30;
constexpr int kVillagesPerTownship = 13;

class Scale {
 public:
  Scale(Session& s, const ScaleOptions& o) : s_(s), o_(o) {}

  int Run() {
    const int64_t n = o_.villages;
    counties_ = static_cast<int>((n + o_.villages_per_county - 1) / o_.villages_per_county);
    cities_ = (counties_ + kCountiesPerCity - 1) / kCountiesPerCity;
    if (cities_ > 99) {
      throw Failure(
          absl::StrCat(n, " villages at ", o_.villages_per_county,
                       " a county need more than 99 cities: raise --villages-per-county"));
    }
    token_ = &s_.Token(auth::Role::kCityOrgDept, kProvince);
    std::fprintf(
        stderr, "[touyan] scale: %s villages in %d counties of %d cities (synthetic province 71)\n",
        Grouped(n).c_str(), counties_, cities_);
    Timed("regions: import the tree (streamed)", [&] { return Regions(); });
    Timed("personnel: import secretaries with their posts (streamed)",
          [&] { return Secretaries(); });
    Timed("contest: a round per county (enter, judge, close, sign, publish)",
          [&] { return Contests(); });
    Timed("incentive: scheme and assessment per county", [&] { return Assess(); });
    Timed("reads: every list and report of a county, a township, a city", [&] { return Reads(); });
    std::printf("\nnational-scale scenario: %s villages, %d counties, %d cities\n",
                Grouped(n).c_str(), counties_, cities_);
    std::printf("  %-66s %10s %14s\n", "stage", "seconds", "result");
    double total = 0;
    for (const auto& [stage, seconds, result] : stages_) {
      std::printf("  %-66s %10.1f %14s\n", stage.c_str(), seconds, result.c_str());
      total += seconds;
    }
    std::printf("  %-66s %10.1f\n", "total", total);
    return 0;
  }

 private:
  std::string County(int c) const {
    return absl::StrFormat("71%02d%02d000000", c / kCountiesPerCity + 1, c % kCountiesPerCity + 1);
  }
  // Villages of county c: the last county gets what is left.
  int64_t VillagesOf(int c) const {
    const int64_t before = static_cast<int64_t>(c) * o_.villages_per_county;
    return std::min<int64_t>(o_.villages_per_county, o_.villages - before);
  }
  std::string Village(int c, int64_t v) const {
    return absl::StrFormat("%s%03d%03d", County(c).substr(0, 6), v / kVillagesPerTownship + 1,
                           200 + v % kVillagesPerTownship + 1);
  }

  void Timed(const std::string& stage, const std::function<std::string()>& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string result = fn();
    stages_.push_back({stage,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                       result});
  }

  std::string Regions() {
    std::vector<pv1::Region> regions;
    auto add = [&](const std::string& code, const std::string& name, pv1::RegionLevel level,
                   const std::string& parent) {
      pv1::Region r;
      r.set_code(code);
      r.set_name(name);
      r.set_level(level);
      r.set_parent_code(parent);
      regions.push_back(std::move(r));
    };
    add(kProvince, "模拟省", pv1::REGION_LEVEL_PROVINCE, "");
    for (int c = 0; c < cities_; ++c) {
      add(absl::StrFormat("71%02d00000000", c + 1), absl::StrCat("模拟市", c + 1),
          pv1::REGION_LEVEL_CITY, kProvince);
    }
    int64_t villages = 0;
    for (int c = 0; c < counties_; ++c) {
      const std::string county = County(c);
      add(county, absl::StrCat("模拟县", c + 1), pv1::REGION_LEVEL_COUNTY,
          county.substr(0, 4) + "00000000");
      const int64_t nv = VillagesOf(c);
      for (int64_t t = 0; t * kVillagesPerTownship < nv; ++t) {
        add(absl::StrFormat("%s%03d000", county.substr(0, 6), t + 1),
            absl::StrCat("模拟县", c + 1, "第", t + 1, "镇"), pv1::REGION_LEVEL_TOWNSHIP, county);
      }
      for (int64_t v = 0; v < nv; ++v) {
        const std::string code = Village(c, v);
        add(code, absl::StrCat("模拟村", code.substr(6)), pv1::REGION_LEVEL_VILLAGE,
            code.substr(0, 9) + "000");
        ++villages;
      }
    }
    Progress p("regions: import", static_cast<int64_t>(regions.size()));
    int64_t shown = 0;
    auto r = ImportRegions(s_.personnel(), *token_,
                           absl::StrCat("scale-", o_.seed, "-", o_.villages, "-regions"), regions,
                           [&](int64_t sent) {
                             p.Add(sent - shown);
                             shown = sent;
                           });
    p.Done();
    if (!r.ok()) throw Failure(absl::StrCat("ImportRegions: ", r.status().message()));
    return absl::StrCat(Grouped(r->party_orgs_created()), " orgs");
  }

  std::string Secretaries() {
    // One stream per city (≈ 5,000 rows), two at a time.
    Progress p("personnel: secretaries", o_.villages);
    std::atomic<int64_t> imported{0}, posts{0};
    ParallelFor(cities_, 2, nullptr, [&](int64_t city) {
      std::vector<pv1::Cadre> people;
      std::mt19937_64 rng(o_.seed + city);
      for (int c = static_cast<int>(city) * kCountiesPerCity;
           c < std::min(counties_, static_cast<int>(city + 1) * kCountiesPerCity); ++c) {
        for (int64_t v = 0; v < VillagesOf(c); ++v) {
          people.push_back(GenerateCadre(rng, static_cast<int64_t>(c % kCountiesPerCity) * 1000 + v,
                                         Village(c, v)));
        }
      }
      pv1::ImportCadresRequest head;
      head.set_request_id(absl::StrCat("scale-", o_.seed, "-", o_.villages, "-cadres-", city));
      head.set_village_post(pv1::POSITION_KIND_DUAL_ROLE);
      head.mutable_term_start()->set_year(2021);
      head.mutable_term_start()->set_month(1);
      head.mutable_term_start()->set_day(15);
      int64_t shown = 0;
      auto r = ImportCadres(s_.personnel(), *token_, head, people, 1000, [&](int64_t sent) {
        p.Add(sent - shown);
        shown = sent;
      });
      if (!r.ok()) throw Failure(absl::StrCat("ImportCadres: ", r.status().message()));
      if (r->rows_failed() > 0) {
        throw Failure(absl::StrCat("ImportCadres refused ", r->rows_failed(),
                                   " rows, first: ", r->errors(0).message()));
      }
      imported += r->rows_imported();
      posts += r->positions_created();
    });
    p.Done();
    return absl::StrCat(Grouped(posts.load()), " secretaries");
  }

  std::string Contests() {
    Progress p("contest: county rounds", counties_);
    std::atomic<int64_t> entered{0}, scored{0};
    ParallelFor(counties_, o_.threads, &p, [&](int64_t c) {
      const std::string county = County(static_cast<int>(c));
      const std::string rid = absl::StrCat("scale-", o_.seed, "-", o_.villages, "-", county);
      cv1::CreateContestRequest cc;
      cc.set_request_id(rid + "-contest");
      cc.mutable_contest()->set_level(cv1::LEVEL_COUNTY);
      cc.mutable_contest()->set_region_code(county);
      cc.mutable_contest()->set_year(kYear);
      cc.mutable_contest()->set_title("村党组织书记擂台比武");
      cc.mutable_contest()->add_fields(cv1::FIELD_VILLAGE);
      auto contest = s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateContest, cc, *token_,
                             "CreateContest");
      cv1::CreateRoundRequest cr;
      cr.set_request_id(rid + "-round");
      cr.mutable_round()->set_contest_id(contest.id());
      cr.mutable_round()->set_name("旗县决赛");
      auto* band = cr.mutable_round()->add_star_bands();
      band->set_stars(5);
      band->set_top_share(0.2);
      auto round = s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateRound, cr, *token_,
                           "CreateRound");
      AdvanceRound(s_, round.id(), cv1::ROUND_STATE_OPEN, *token_, rid + "-judge");
      cv1::EnterSecretariesRequest es;
      es.set_request_id(rid + "-enter");
      es.set_round_id(round.id());
      es.set_panel("A");
      auto in = s_.Call(s_.contest(), &cv1::ContestService::Stub::EnterSecretaries, es, *token_,
                        "EnterSecretaries");
      entered += in.entered() + in.already_entered();
      std::mt19937_64 rng(o_.seed + c);
      std::uniform_int_distribution<int> tenth(500, 1000);
      scored += JudgeAndPublish(
          s_, round.id(), 3, *token_, rid + "-judge",
          [&](const cv1::Entry&, int, const cv1::Dimension&) { return tenth(rng) / 10.0; });
    });
    p.Done();
    return absl::StrCat(Grouped(entered.load()), " entries, ", Grouped(scored.load()), " scores");
  }

  std::string Assess() {
    Progress p("incentive: assessment", counties_);
    std::atomic<int64_t> assessed{0};
    ParallelFor(counties_, 2, &p, [&](int64_t c) {
      const std::string county = County(static_cast<int>(c)).substr(0, 6);
      const std::string rid = absl::StrCat("scale-", o_.seed, "-", o_.villages, "-", county);
      SetScheme(s_, county, kYear, *token_, rid + "-scheme");
      iv1::ComputeAssessmentsRequest ca;
      ca.set_request_id(rid + "-assess");
      ca.set_county_code(county);
      ca.set_year(kYear);
      assessed += s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ComputeAssessments, ca,
                          *token_, "ComputeAssessments")
                      .assessed();
    });
    p.Done();
    return absl::StrCat(Grouped(assessed.load()), " assessed");
  }

  // Sets `f` of `req` to a value a read of the scenario's data accepts: a
  // code the county, another string a word, a number the year, an enum its
  // first named value, a date the year's last day. False for other kinds.
  static bool Fill(google::protobuf::Message* req, const google::protobuf::FieldDescriptor* f,
                   const std::string& county) {
    using FD = google::protobuf::FieldDescriptor;
    const google::protobuf::Reflection* r = req->GetReflection();
    if (f->is_repeated()) return false;
    switch (f->cpp_type()) {
      case FD::CPPTYPE_STRING:
        r->SetString(req, f, absl::EndsWith(f->name(), "_code") ? county : "scale");
        return true;
      case FD::CPPTYPE_INT32:
        r->SetInt32(req, f, kYear);
        return true;
      case FD::CPPTYPE_ENUM:
        if (f->enum_type()->value_count() < 2) return false;
        r->SetEnum(req, f, f->enum_type()->value(1));
        return true;
      case FD::CPPTYPE_MESSAGE:
        if (f->message_type()->full_name() != "google.type.Date") return false;
        {
          google::protobuf::Message* d = r->MutableMessage(req, f);
          const auto* dd = d->GetDescriptor();
          d->GetReflection()->SetInt32(d, dd->FindFieldByName("year"), kYear);
          d->GetReflection()->SetInt32(d, dd->FindFieldByName("month"), 12);
          d->GetReflection()->SetInt32(d, dd->FindFieldByName("day"), 31);
        }
        return true;
      default:
        return false;
    }
  }

  // Every unary read of every service that a region scopes (its request has
  // region_code or parent_code and no request_id), asked for the last
  // county and for its first township, one page of 50: so bench/scale's plan
  // check sees the statements of lists and reports, not only of the stages
  // above. A read refused (INVALID_ARGUMENT) for a field the request leaves
  // unset is asked again with that field filled (a theme, a channel, a date:
  // Fill); NOT_FOUND is an answer (the statements ran and found nothing). A
  // read refused for its region (a city's report asked for a county) is
  // asked for the county's city as well; one still refused (INVALID_ARGUMENT,
  // FAILED_PRECONDITION) is counted and named; any other failure stops the
  // scenario.
  std::string Reads() {
    const std::string county = County(counties_ - 1);
    const std::string township = Village(counties_ - 1, 0).substr(0, 9) + "000";
    const std::string city = county.substr(0, 4) + "00000000";
    const auto level = [&](const std::string& region) {
      return region == county ? "county" : region == township ? "township" : "city";
    };
    auto* factory = google::protobuf::MessageFactory::generated_factory();
    int asked = 0, answered = 0;
    std::set<std::string> refused, not_at_level;
    for (const std::string& name : ServiceNames()) {
      const google::protobuf::ServiceDescriptor* svc = ServiceNamed(name);
      for (int i = 0; i < svc->method_count(); ++i) {
        const google::protobuf::MethodDescriptor* m = svc->method(i);
        const google::protobuf::Descriptor* in = m->input_type();
        const google::protobuf::FieldDescriptor* scope = in->FindFieldByName("region_code");
        if (scope == nullptr) scope = in->FindFieldByName("parent_code");
        if (m->client_streaming() || m->server_streaming() || scope == nullptr ||
            scope->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
            in->FindFieldByName("request_id") != nullptr) {
          continue;
        }
        std::vector<std::string> regions = {county, township};
        for (size_t k = 0; k < regions.size(); ++k) {
          const std::string region = regions[k];
          std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(in)->New());
          const google::protobuf::Reflection* r = req->GetReflection();
          r->SetString(req.get(), scope, region);
          if (const auto* f = in->FindFieldByName("year");
              f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_INT32) {
            r->SetInt32(req.get(), f, kYear);
          }
          if (const auto* f = in->FindFieldByName("page_size");
              f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_INT32) {
            r->SetInt32(req.get(), f, 50);
          }
          // A level (ListRegions): the deepest, every village below.
          if (const auto* f = in->FindFieldByName("level");
              f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_ENUM) {
            const auto* e = f->enum_type();
            r->SetEnum(req.get(), f, e->value(e->value_count() - 1));
          }
          std::string bytes;
          ++asked;
          grpc::Status st;
          std::set<std::string> filled;
          for (;;) {
            st = CallUnary(s_.channel(name), absl::StrCat("/", svc->full_name(), "/", m->name()),
                           req->SerializeAsString(), *token_, absl::Seconds(60), &bytes);
            if (st.error_code() != grpc::StatusCode::INVALID_ARGUMENT) break;
            const std::string field = DetailsOf(st).field;
            const auto* f = in->FindFieldByName(field);
            if (f == nullptr || f == scope || !filled.insert(field).second ||
                !Fill(req.get(), f, county)) {
              break;
            }
          }
          if (st.ok() || st.error_code() == grpc::StatusCode::NOT_FOUND) {
            ++answered;
          } else if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                     st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
            const std::string field = DetailsOf(st).field;
            if (field != scope->name()) {
              refused.insert(absl::StrCat(m->name(), " (", level(region), ": ", field, ")"));
            } else {
              not_at_level.insert(absl::StrCat(m->name(), " (", level(region), ")"));
              if (regions.size() == 2) regions.push_back(city);
            }
          } else {
            throw Failure(absl::StrCat(m->name(), " for ", region, ": ", st.error_message()));
          }
        }
      }
    }
    if (!not_at_level.empty()) {
      std::fprintf(stderr,
                   "[touyan] reads refused for their region's level (asked of the city): %s\n",
                   absl::StrJoin(not_at_level, ", ").c_str());
    }
    if (!refused.empty()) {
      std::fprintf(stderr, "[touyan] reads refused: %s\n", absl::StrJoin(refused, ", ").c_str());
    }
    return absl::StrCat(answered, " of ", asked, " answered");
  }

  Session& s_;
  const ScaleOptions& o_;
  const std::string* token_ = nullptr;
  int counties_ = 0, cities_ = 0;
  std::vector<std::tuple<std::string, double, std::string>> stages_;
};

}  // namespace

int RunScale(const ScaleOptions& options) {
  Session session(options.endpoints);
  return RunScenario("scale", [&] { return Scale(session, options).Run(); });
}

}  // namespace touyan::ctl::scenario
