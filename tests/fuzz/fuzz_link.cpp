// Pagination links as registries send them: sdk::next_link on a Link header
// value (RFC 8288), resolve_url of the target against the page's URL, and
// parse_url / registry_base / url_encode on what comes out, as
// sdk::for_each_link_page does with every page.
// Input: the page URL, '\n', the Link header value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "regscan/pagination.hpp"
#include "regscan/url.hpp"

using namespace regscan::sdk;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto newline = input.find('\n');
    std::string base(input.substr(0, newline));
    std::string_view link = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    std::string target = next_link(link);
    std::string next = resolve_url(base, target);
    Url url = parse_url(next);
    (void)url.origin();
    (void)url.authority();
    (void)(parse_url(base).origin() == url.origin());  // the same-origin check
    (void)registry_base(next);
    (void)url_encode(target, "/");
    return 0;
}
