// Hostile input for every service's mutations: each string and number field,
// found by reflection, gets oversized, CJK, SQL-metacharacter, NUL,
// right-to-left and extreme values; each is either stored verbatim and read
// back identical, or refused with INVALID_ARGUMENT naming a field (or another
// domain refusal) — never INTERNAL, never UNKNOWN, never a crash.
#ifndef TOUYAN_TESTS_SUPPORT_HOSTILE_H_
#define TOUYAN_TESTS_SUPPORT_HOSTILE_H_

#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "tests/support/test_env.h"

namespace touyan::testing {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

inline const std::vector<std::string>& HostileStrings() {
  static const auto* kValues = new std::vector<std::string>{
      std::string(10000, 'x'),
      [] {
        std::string s;
        for (int i = 0; i < 3000; ++i) s += "村";
        return s;
      }(),
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

inline const std::vector<int64_t>& HostileNumbers() {
  static const auto* kValues = new std::vector<int64_t>{
      -1, 0, 1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
  return *kValues;
}

class HostileSweep {
 public:
  // Checks one answer; returns true if the value was stored.
  static bool Judge(const grpc::Status& s, const std::string& what) {
    Outcome o = OutcomeOf(s);
    EXPECT_NE(o.code, grpc::StatusCode::INTERNAL) << what << ": " << s.error_message();
    EXPECT_NE(o.code, grpc::StatusCode::UNKNOWN) << what << ": " << s.error_message();
    if (o.code == grpc::StatusCode::INVALID_ARGUMENT) {
      EXPECT_FALSE(o.field.empty()) << what;
    }
    return o.code == grpc::StatusCode::OK;
  }

  // Every singular string/integer field of `m`, recursively, as setters.
  template <typename F>
  static void ForEachField(Message* m, const std::string& path, F&& visit) {
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
  static void Sweep(
      const Message& base, const std::string& prefix, const std::set<std::string>& output_only,
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
        set(probe.get(), [&](Message*, const FieldDescriptor* f) {
          s = f->type() == FieldDescriptor::TYPE_STRING;
        });
        return s;
      }();
      auto attempt = [&](auto value, const std::string& shown) {
        std::unique_ptr<Message> req(base.New());
        req->CopyFrom(base);
        req->GetReflection()->SetString(req.get(),
                                        req->GetDescriptor()->FindFieldByName("request_id"),
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

  // Sweep of one mutation: `call(request, &answer)` sends it; `read_back(answer,
  // &stored)` (optional) reads the stored resource the answer names —
  // without it, the answer itself is what must hold the value.
  template <typename Resp, typename Req, typename Call, typename ReadBack = std::nullptr_t>
  static void SweepMutation(const Req& base, const std::string& prefix,
                            const std::set<std::string>& output_only, Call call,
                            ReadBack read_back = nullptr) {
    Sweep(base, prefix, output_only, [&](const Message& m, std::unique_ptr<Message>* back) {
      auto answer = std::make_unique<Resp>();
      grpc::Status s = call(static_cast<const Req&>(m), answer.get());
      if (!s.ok()) return s;
      if constexpr (std::is_same_v<ReadBack, std::nullptr_t>) {
        *back = std::move(answer);
      } else {
        auto stored = std::make_unique<Resp>();
        grpc::Status r = read_back(*answer, stored.get());
        EXPECT_TRUE(r.ok()) << prefix << " read back: " << r.error_message();
        *back = std::move(stored);
      }
      return s;
    });
  }

  // A read-back by the answer's id: `get` (e.g. &Stub::GetClass) with `token`.
  template <typename Stub, typename GetReq, typename Resp>
  static auto ReadById(Stub& stub,
                       grpc::Status (Stub::*get)(grpc::ClientContext*, const GetReq&, Resp*),
                       std::string token) {
    return [&stub, get, token](const Resp& answer, Resp* stored) {
      GetReq r;
      r.set_id(answer.id());
      return (stub.*get)(WithToken(token).get(), r, stored);
    };
  }

  // A read-back that finds the answer's id in a list: `list` (e.g.
  // &Stub::ListCare) sent as `request` with `token`; its first field holds
  // the items.
  template <typename Stub, typename ListReq, typename ListResp>
  static auto ReadListed(Stub& stub,
                         grpc::Status (Stub::*list)(grpc::ClientContext*, const ListReq&,
                                                    ListResp*),
                         ListReq request, std::string token) {
    return [&stub, list, request, token](const Message& answer, Message* stored) {
      ListResp all;
      grpc::Status s = (stub.*list)(WithToken(token).get(), request, &all);
      if (!s.ok()) return s;
      const std::string id = ValueAt(answer, "id");
      const auto* f = all.GetDescriptor()->field(0);
      for (int i = 0; i < all.GetReflection()->FieldSize(all, f); ++i) {
        const Message& item = all.GetReflection()->GetRepeatedMessage(all, f, i);
        if (ValueAt(item, "id") == id) {
          stored->CopyFrom(item);
          return grpc::Status::OK;
        }
      }
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "not listed: " + id);
    };
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
      std::string part =
          path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const FieldDescriptor* f = cur->GetDescriptor()->FindFieldByName(part);
      if (f == nullptr) return "";
      if (dot == std::string::npos) {
        return f->type() == FieldDescriptor::TYPE_STRING ? cur->GetReflection()->GetString(*cur, f)
                                                         : "";
      }
      cur = &cur->GetReflection()->GetMessage(*cur, f);
      start = dot + 1;
    }
  }
};

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_SUPPORT_HOSTILE_H_
