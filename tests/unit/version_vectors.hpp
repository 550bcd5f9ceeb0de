// What the tests/unit/test_versions_<scheme>.cpp files share: where the
// reference vector files are, and checking a file of comparisons against a
// scheme both ways round, with the lines where our reference implementation
// knowingly answers otherwise.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../oracle/vector_file.hpp"
#include "versions/schemes.hpp"
#include "versions/version_compare.hpp"

namespace version_vectors {

namespace tv = regscan::test_vectors;
namespace versions = regscan::versions;
using regscan::versions::Scheme;

inline const std::string dir = std::string(REGSCAN_SHARED_DIR) + "/reference/versions/";

inline int sign(int x) { return (x > 0) - (x < 0); }

// Line -> the answer expected instead of the file's; each must be met.
using Known = std::map<size_t, int>;

// A test file names one scheme's checks once:
//   constexpr Order<Scheme::Rpm> order;  constexpr CheckFile<Scheme::Rpm> check_file;
template <Scheme scheme>
struct Order {
    int operator()(std::string_view a, std::string_view b) const { return sign(versions::compare(scheme, a, b)); }
};

template <Scheme scheme>
struct CheckFile {
    void operator()(const std::vector<tv::Comparison>& cases, const std::string& file, const Known& known = {}) const {
        constexpr Order<scheme> order;
        REQUIRE_FALSE(cases.empty());
        size_t known_seen = 0;
        for (const auto& c : cases) {
            INFO(file << ":" << c.line << ": '" << c.a << "' " << c.op << " '" << c.b << "'");
            auto k = known.find(c.line);
            int expected = k != known.end() ? k->second : tv::expected_sign(c.op);
            known_seen += k != known.end();
            CHECK(order(c.a, c.b) == expected);
            CHECK(order(c.b, c.a) == -expected);
        }
        CHECK(known_seen == known.size());
    }
};

}  // namespace version_vectors
