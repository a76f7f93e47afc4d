// A file of the test process's own, removed when it goes out of scope, and
// replaced whole on each write (written beside, then renamed over), as a
// Kubernetes ConfigMap or Secret update replaces a mounted file. Header-only,
// so that the unit tests in common/ use it without the test support library.
#ifndef TOUYAN_TESTS_SUPPORT_TEMP_FILE_H_
#define TOUYAN_TESTS_SUPPORT_TEMP_FILE_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace touyan::testing {

class TempFile {
 public:
  explicit TempFile(const std::string& prefix = "touyan-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) std::abort();
    close(fd);
    path_ = tmpl;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::remove(path_.c_str()); }

  // Replaces the file's content whole; false if it could not be written.
  bool Write(const std::string& text) const {
    const std::string next = path_ + ".new";
    { std::ofstream(next) << text; }
    return std::rename(next.c_str(), path_.c_str()) == 0;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_SUPPORT_TEMP_FILE_H_
