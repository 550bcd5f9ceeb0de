// --allowList / --denyList: wildcard patterns over the whole "repository:tag".
//   `*` matches any run of characters, `/` included; nothing else is special.
//   A pattern without a tag part ("foo", "team/*") means "<pattern>:*".
//   A pattern may start with the registry host ("reg:5000/team/*").
//   Deny wins over allow; an empty allow list allows everything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regscan/filter.hpp"

namespace regscan::filter {

// True when `text` matches `pattern` as a whole, `*` matching any run.
bool wildcard_match(std::string_view pattern, std::string_view text);

// "foo" -> "foo:*"; "*/foo:bar" unchanged. The tag part is a ':' after the
// last '/', so a port in a host ("reg:5000/app") is not mistaken for one.
std::string normalise_pattern(std::string_view pattern);

// Splits comma-separated lists (each argument may hold several), trimming.
std::vector<std::string> split_patterns(const std::vector<std::string>& arguments);

class PatternFilter final : public sdk::Filter {
public:
    PatternFilter(std::vector<std::string> allow, std::vector<std::string> deny);
    [[nodiscard]] std::optional<std::string> skip_reason(const sdk::ImageRef& image) const override;

private:
    [[nodiscard]] const std::string* first_match(const std::vector<std::string>& patterns,
                                                 const sdk::ImageRef& image) const;
    std::vector<std::string> allow_;
    std::vector<std::string> deny_;
};

}  // namespace regscan::filter
