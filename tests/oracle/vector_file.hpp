// Readers for ../shared/reference/versions/ (see its SOURCES.md), shared by
// the unit tests (tests/unit/test_versions_*.cpp) and the oracle runner:
//   *.tsv         "A<TAB>OP<TAB>B", OP one of < = > (apk-fuzzy: ~ <~ >~ !~),
//                 after one '#' source line; fields are not trimmed.
//   *-valid.txt,  one version per line after one '#' line.
//   *-invalid.txt
//   osv-scalibr/  "A OP B" separated by spaces; '#' and '//' lines and blank
//                 lines are comments.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace regscan::test_vectors {

struct Comparison {
    std::string a;
    std::string op;
    std::string b;
    size_t line = 0;  // 1-based line in the file
};

inline std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open vector file " + path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

inline std::vector<Comparison> read_tsv(const std::string& path) {
    auto lines = read_lines(path);
    std::vector<Comparison> out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i == 0 && lines[i].starts_with("#")) continue;
        const std::string& l = lines[i];
        auto t1 = l.find('\t');
        auto t2 = t1 == std::string::npos ? std::string::npos : l.find('\t', t1 + 1);
        if (t2 == std::string::npos || l.find('\t', t2 + 1) != std::string::npos)
            throw std::runtime_error(path + ":" + std::to_string(i + 1) + ": not A<TAB>OP<TAB>B");
        out.push_back({l.substr(0, t1), l.substr(t1 + 1, t2 - t1 - 1), l.substr(t2 + 1), i + 1});
    }
    return out;
}

inline std::vector<std::string> read_list(const std::string& path) {
    auto lines = read_lines(path);
    if (!lines.empty() && lines.front().starts_with("#")) lines.erase(lines.begin());
    return lines;
}

inline std::vector<Comparison> read_scalibr(const std::string& path) {
    auto lines = read_lines(path);
    std::vector<Comparison> out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (l.empty() || l.starts_with("#") || l.starts_with("//")) continue;
        std::istringstream fields(l);
        Comparison c;
        std::string extra;
        if (!(fields >> c.a >> c.op >> c.b) || (fields >> extra))
            throw std::runtime_error(path + ":" + std::to_string(i + 1) + ": not 'A OP B'");
        c.line = i + 1;
        out.push_back(c);
    }
    return out;
}

// -1, 0 or 1 for "<", "=", ">"; throws for anything else.
inline int expected_sign(const std::string& op) {
    if (op == "<") return -1;
    if (op == "=") return 0;
    if (op == ">") return 1;
    throw std::runtime_error("unexpected comparison operator '" + op + "'");
}

}  // namespace regscan::test_vectors
