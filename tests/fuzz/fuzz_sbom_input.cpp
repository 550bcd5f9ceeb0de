// An SBOM a user hands `regscan image sbom:FILE` (and may have been handed):
// CycloneDX or SPDX JSON, its packages by purl, the OS from a distro
// qualifier, the image result made of them. Any refusal is an sdk::Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "local/sbom_input.hpp"
#include "regscan/error.hpp"

using namespace regscan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto result = local::sbom_image_result(local::parse_sbom(text, "fuzz.json"));
        (void)result;
    } catch (const sdk::Error&) {
    }
    // Each line as a purl and as a distro qualifier on its own.
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        (void)local::package_from_purl(line);
        (void)local::os_from_distro(line);
    }
    return 0;
}
