#include "report/report_name.hpp"

#include <cctype>

#include "regscan/url.hpp"

namespace regscan::report {

std::string registry_file_stem(const std::string& registry_url) {
    std::string stem;
    bool replaced_last = false;
    for (char c : sdk::parse_url(registry_url).authority()) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
            stem += c;
            replaced_last = false;
        } else if (!replaced_last) {  // "[::1]" gives one dash, not three
            stem += '-';
            replaced_last = true;
        }
    }
    while (!stem.empty() && stem.front() == '-') stem.erase(stem.begin());
    while (!stem.empty() && stem.back() == '-') stem.pop_back();
    return stem.empty() ? "registry" : stem;
}

}  // namespace regscan::report
