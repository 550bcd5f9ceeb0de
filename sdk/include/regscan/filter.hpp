// A filter decides whether an image is scanned. The core's allow/deny
// patterns implement this interface; a plugin can add its own.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace regscan::sdk {

struct ImageRef {
    std::string registry;    // "reg.example:5000"
    std::string repository;  // "team/app"
    std::string tag;         // may be empty for an untagged image
    std::string digest;      // may be empty before the manifest is fetched
};

class Filter {
public:
    virtual ~Filter() = default;
    // nullopt: keep the image; otherwise the reason it is skipped.
    [[nodiscard]] virtual std::optional<std::string> skip_reason(const ImageRef& image) const = 0;
};

inline void to_json(nlohmann::json& j, const ImageRef& i) {
    j = {{"registry", i.registry}, {"repository", i.repository}, {"tag", i.tag}, {"digest", i.digest}};
}
inline void from_json(const nlohmann::json& j, ImageRef& i) {
    i.registry = j.value("registry", "");
    i.repository = j.value("repository", "");
    i.tag = j.value("tag", "");
    i.digest = j.value("digest", "");
}

}  // namespace regscan::sdk
