// WWW-Authenticate values as a registry or token service sends them:
// sdk::parse_challenges (regscan/challenge.hpp, shared by the core and the
// plugins), and auth::scope_for_url on the URL a challenge came with.
// Input: the header value; its first line is also used as the request URL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/challenge.hpp"
#include "regscan/challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view header(reinterpret_cast<const char*>(data), size);
    for (const auto& challenge : regscan::sdk::parse_challenges(header)) {
        // What the token flow reads from a Bearer challenge.
        (void)challenge.param("realm");
        (void)challenge.param("service");
        (void)challenge.param("scope");
    }
    (void)regscan::auth::scope_for_url(header.substr(0, header.find('\n')));
    return 0;
}
