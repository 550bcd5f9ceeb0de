#include "vulndb/ecosystem.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace regscan::vulndb {
namespace {

bool iequals(std::string_view a, std::string_view b) { return util::ascii_lower(a) == util::ascii_lower(b); }

// PEP 503: lowercase, and every run of '-', '_' and '.' becomes one '-'.
std::string pep503(std::string_view name) {
    std::string out;
    bool in_run = false;
    for (char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (!in_run) out += '-';
            in_run = true;
            continue;
        }
        in_run = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

}  // namespace

std::string_view ecosystem_base(std::string_view ecosystem) { return ecosystem.substr(0, ecosystem.find(':')); }

std::string ecosystem_key(std::string_view ecosystem) { return util::ascii_lower(ecosystem_base(ecosystem)); }

std::string package_name_key(std::string_view ecosystem, std::string_view name) {
    std::string key = ecosystem_key(ecosystem);
    if (key == "pypi") return pep503(name);
    if (key == "nuget" || key == "packagist") return util::ascii_lower(name);
    return std::string(name);
}

bool ecosystem_covers(std::string_view record_ecosystem, std::string_view package_ecosystem) {
    if (!iequals(ecosystem_base(record_ecosystem), ecosystem_base(package_ecosystem))) return false;
    size_t colon = record_ecosystem.find(':');
    if (colon == std::string_view::npos) return true;
    size_t package_colon = package_ecosystem.find(':');
    if (package_colon == std::string_view::npos) return false;
    return record_ecosystem.substr(colon) == package_ecosystem.substr(package_colon);
}

bool keyed_by_source_package(std::string_view ecosystem) {
    static constexpr std::string_view source_keyed[] = {"Debian", "Ubuntu",   "Alpine",  "Wolfi",
                                                        "Chainguard", "SUSE", "openSUSE"};
    std::string_view base = ecosystem_base(ecosystem);
    return std::any_of(std::begin(source_keyed), std::end(source_keyed),
                       [&](std::string_view known) { return iequals(known, base); });
}

}  // namespace regscan::vulndb
