// The agent panel's static files, served from one directory (web/). Paths are
// resolved against that directory and refused unless the result stays inside
// it (no "..", no symlink escapes), with a content type by extension.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialerd {

struct StaticFile {
  std::string body;
  std::string content_type;
};

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);
  /// The file for a URL path ("/" is index.html); nullopt when missing or outside the root.
  std::optional<StaticFile> get(std::string_view url_path) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

std::string content_type_for(std::string_view path);

}  // namespace dialerd
