#include "report/report_name.hpp"

#include <cctype>

#include "regscan/url.hpp"

namespace regscan::report {

std::string registry_file_stem(const std::string& registry_url) {
    std::string stem = sdk::parse_url(registry_url).authority();
    for (auto& c : stem)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    while (!stem.empty() && stem.front() == '-') stem.erase(stem.begin());
    while (!stem.empty() && stem.back() == '-') stem.pop_back();
    return stem.empty() ? "registry" : stem;
}

}  // namespace regscan::report
