// Hostile input in every string and number field of the personnel
// mutations: each value is either stored verbatim and read back identical,
// or refused with INVALID_ARGUMENT naming a field (or another domain
// refusal) — never INTERNAL, never UNKNOWN, never a crash. Fields are found
// by reflection, so a field added later is covered without editing this file.
#include <limits>
#include <set>

#include "common/time/date.h"
#include "google/protobuf/descriptor.h"
#include "tests/personnel/fixture.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_hostile"));

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using grpc::StatusCode;

const std::vector<std::string>& HostileStrings() {
  static const auto* kValues = new std::vector<std::string>{
      std::string(10000, 'x'),
      [] { std::string s; for (int i = 0; i < 3000; ++i) s += "村"; return s; }(),
      "'; DROP TABLE personnel.cadres; --",
      std::string("a\0b", 3),
      "   ",
      "\u202e\u0645\u0631\u062d\u0628\u0627",  // right-to-left override, Arabic
      "😀🐑",
      "%s%n%x",
      "",
  };
  return *kValues;
}

const std::vector<int64_t>& HostileNumbers() {
  static const auto* kValues = new std::vector<int64_t>{
      -1, 0, 1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
  return *kValues;
}

class HostileInputTest : public PersonnelTest {
 protected:
  // Checks one answer; returns true if the value was stored.
  bool Judge(const grpc::Status& s, const std::string& what) {
    Outcome o = OutcomeOf(s);
    EXPECT_NE(o.code, StatusCode::INTERNAL) << what << ": " << s.error_message();
    EXPECT_NE(o.code, StatusCode::UNKNOWN) << what << ": " << s.error_message();
    if (o.code == StatusCode::INVALID_ARGUMENT) {
      EXPECT_FALSE(o.field.empty()) << what;
    }
    return o.code == StatusCode::OK;
  }

  // Every singular string/integer field of `m`, recursively, as setters.
  template <typename F>
  void ForEachField(Message* m, const std::string& path, F&& visit) {
    const auto* d = m->GetDescriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->is_repeated()) continue;
      std::string p = path.empty() ? f->name() : path + "." + f->name();
      if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
        if (f->message_type()->full_name().rfind("touyan.", 0) == 0) {
          ForEachField(m->GetReflection()->MutableMessage(m, f), p, visit);
        }
      } else if (f->type() == FieldDescriptor::TYPE_STRING ||
                 f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
                 f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        visit(m, f, p);
      }
    }
  }

  // Sends `base` with each field set to each hostile value. `send` returns
  // the status and, when stored, the resource as read back; the field under
  // test (its path below `prefix`) must then read back verbatim, unless it is
  // one of the server's output-only fields.
  void Sweep(const Message& base, const std::string& prefix, const std::set<std::string>& output_only,
             const std::function<grpc::Status(const Message&, std::unique_ptr<Message>*)>& send) {
    std::unique_ptr<Message> probe(base.New());
    probe->CopyFrom(base);
    std::vector<std::string> paths;
    ForEachField(probe.get(), "", [&](Message*, const FieldDescriptor*, const std::string& p) {
      if (p != "request_id") paths.push_back(p);
    });
    int n = 0;
    for (const std::string& path : paths) {
      auto set = [&](Message* root, auto apply) {
        ForEachField(root, "", [&](Message* m, const FieldDescriptor* f, const std::string& p) {
          if (p == path) apply(m, f);
        });
      };
      const bool is_string = [&] {
        bool s = false;
        set(probe.get(), [&](Message*, const FieldDescriptor* f) { s = f->type() == FieldDescriptor::TYPE_STRING; });
        return s;
      }();
      auto attempt = [&](auto value, const std::string& shown) {
        std::unique_ptr<Message> req(base.New());
        req->CopyFrom(base);
        req->GetReflection()->SetString(req.get(), req->GetDescriptor()->FindFieldByName("request_id"),
                                        absl::StrCat("hostile-", path, "-", ++n));
        set(req.get(), [&](Message* m, const FieldDescriptor* f) {
          if constexpr (std::is_same_v<decltype(value), std::string>) {
            m->GetReflection()->SetString(m, f, value);
          } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
            m->GetReflection()->SetInt32(m, f, static_cast<int32_t>(value));
          } else {
            m->GetReflection()->SetInt64(m, f, value);
          }
        });
        std::unique_ptr<Message> back;
        grpc::Status s = send(*req, &back);
        if (Judge(s, path + " = " + shown)) {
          if constexpr (std::is_same_v<decltype(value), std::string>) {
            std::string field = path.substr(prefix.size());
            if (back != nullptr && path.rfind(prefix, 0) == 0 && !output_only.contains(field)) {
              EXPECT_EQ(ValueAt(*back, field), value) << path << " must be stored verbatim";
            }
          }
        }
      };
      if (is_string) {
        for (const std::string& v : HostileStrings()) attempt(v, v.substr(0, 20));
      } else {
        for (int64_t v : HostileNumbers()) attempt(v, std::to_string(v));
      }
    }
    EXPECT_GT(n, 10) << "the sweep must have reached the fields";
  }

  // The value at `path` of a message (for read-back).
  static std::string ValueAt(const Message& m, const std::string& path) {
    std::unique_ptr<Message> copy(m.New());
    copy->CopyFrom(m);
    std::string out;
    const Message* cur = copy.get();
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const FieldDescriptor* f = cur->GetDescriptor()->FindFieldByName(part);
      if (f == nullptr) return "";
      if (dot == std::string::npos) {
        return f->type() == FieldDescriptor::TYPE_STRING ? cur->GetReflection()->GetString(*cur, f) : "";
      }
      cur = &cur->GetReflection()->GetMessage(*cur, f);
      start = dot + 1;
    }
  }
};

TEST_F(HostileInputTest, CadreFields) {
  pv1::CreateCadreRequest base;
  *base.mutable_cadre() = NewCadre(1);
  int seq = 100;
  Sweep(base, "cadre.", {"id", "county_code"}, [&](const Message& m, std::unique_ptr<Message>* back) {
    pv1::CreateCadreRequest req;
    req.CopyFrom(m);
    // A fresh resident ID per attempt, unless the resident ID is the field under test.
    if (req.cadre().resident_id() == base.cadre().resident_id()) {
      req.mutable_cadre()->set_resident_id(NewCadre(seq++).resident_id());
    }
    pv1::Cadre out;
    grpc::Status s = stub().CreateCadre(WithToken(city_).get(), req, &out);
    if (s.ok()) {
      auto stored = std::make_unique<pv1::Cadre>();
      EXPECT_TRUE(Get(city_, out.id(), stored.get()).ok());
      *back = std::move(stored);
    }
    return s;
  });
}

TEST_F(HostileInputTest, OrganisationDesignationAndEvaluationFields) {
  pv1::CreatePartyOrgRequest org;
  org.mutable_party_org()->set_name("某企业党支部");
  org.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_ENTERPRISE);
  org.mutable_party_org()->set_region_code("150929100000");
  Sweep(org, "party_org.", {"id", "county_code"}, [&](const Message& m, std::unique_ptr<Message>* back) {
    pv1::PartyOrg out;
    grpc::Status s = stub().CreatePartyOrg(WithToken(city_).get(), static_cast<const pv1::CreatePartyOrgRequest&>(m), &out);
    if (s.ok()) {
      pv1::GetPartyOrgRequest get;
      get.set_id(out.id());
      auto stored = std::make_unique<pv1::PartyOrg>();
      EXPECT_TRUE(stub().GetPartyOrg(WithToken(city_).get(), get, stored.get()).ok());
      *back = std::move(stored);
    }
    return s;
  });

  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "hostile-eval-cadre", NewCadre(2), &c).ok());
  pv1::RecordEvaluationRequest eval;
  eval.mutable_evaluation()->set_cadre_id(c.id());
  eval.mutable_evaluation()->set_criterion(pv1::CRITERION_CAPABILITY);
  eval.mutable_evaluation()->set_score(80);
  eval.mutable_evaluation()->set_evaluator("考察组");
  *eval.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(2023, 5, 1));
  // Evaluations are read back only as profile aggregates: their answer is the check.
  Sweep(eval, "evaluation.", {"id", "county_code"}, [&](const Message& m, std::unique_ptr<Message>* back) {
    auto out = std::make_unique<pv1::Evaluation>();
    grpc::Status s = stub().RecordEvaluation(WithToken(city_).get(), static_cast<const pv1::RecordEvaluationRequest&>(m), out.get());
    if (s.ok()) *back = std::move(out);
    return s;
  });

  pv1::AddDesignationRequest des;
  des.mutable_designation()->set_party_org_id(OrgOf("150929100201"));
  des.mutable_designation()->set_kind(pv1::DESIGNATION_KIND_STRONGEST_BRANCH);
  des.mutable_designation()->set_year(2023);
  des.mutable_designation()->set_source("hostile-test");
  Sweep(des, "designation.",
        {"id", "county_code", "region_code", "close_result", "revoke_reason"},
        [&](const Message& m, std::unique_ptr<Message>* back) {
    auto out = std::make_unique<pv1::Designation>();
    grpc::Status s = stub().AddDesignation(WithToken(city_).get(), static_cast<const pv1::AddDesignationRequest&>(m), out.get());
    if (s.ok()) {
      pv1::RevokeDesignationRequest undo;  // free the (organisation, kind, year) slot again
      undo.set_request_id("undo-" + static_cast<const pv1::AddDesignationRequest&>(m).request_id());
      undo.set_id(out->id());
      undo.set_reason("test");
      pv1::Designation ignored;
      EXPECT_TRUE(stub().RevokeDesignation(WithToken(city_).get(), undo, &ignored).ok());
      *back = std::move(out);
    }
    return s;
  });
}

}  // namespace
}  // namespace touyan::testing
