// Version pairs to put to the reference implementations: real versions from
// the vector files (../shared/reference/versions, incl. the osv-scalibr sets
// taken from OSV data), mutations of them, and versions composed from each
// scheme's grammar, with a fixed seed so every run asks the same questions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "oracle_tools.hpp"

namespace regscan::oracle {

enum class Family { Debian, Rpm, SemVer, Pep440, Maven, Alpine, Go };

const char* family_name(Family family);

// splitmix64: tiny, and the same sequence with every standard library.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
    bool percent(unsigned p) { return below(100) < p; }
    template <typename T>
    const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }

private:
    uint64_t state_;
};

// Distinct version strings of the family from the vector files, file order.
std::vector<std::string> real_versions(Family family, const std::string& shared_dir);

// `count` pairs (about; duplicates removed), deterministic for a seed.
std::vector<Pair> make_pairs(Family family, const std::string& shared_dir, size_t count, uint64_t seed);

}  // namespace regscan::oracle
