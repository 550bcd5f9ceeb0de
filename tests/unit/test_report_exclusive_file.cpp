#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "report/exclusive_file.hpp"
#include "report/report_file.hpp"

using namespace regscan::report;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::write_file_atomically never follows a planted symlink") {
    auto dir = fs::temp_directory_path() / ("regscan-exclusive-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto victim = dir / "victim";
    std::ofstream(victim) << "keep me";
    // Every name the old scheme could have used for this process.
    for (int n = 0; n < 64; ++n)
        fs::create_symlink(victim, dir / (".report.json." + std::to_string(::getpid()) + "." + std::to_string(n) + ".partial"));
    write_file_atomically(dir / "report.json", [](std::ostream& out) { out << "{}"; });
    std::ifstream in(victim);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "keep me");
    CHECK(fs::is_regular_file(fs::symlink_status(dir / "report.json")));
    fs::remove_all(dir);
}

TEST_CASE("report::ExclusiveFile creates fresh, distinct files and opens the one it created") {
    auto dir = fs::temp_directory_path() / ("regscan-exclusive2-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    ExclusiveFile a(dir, "x", "partial"), b(dir, "x", "partial");
    CHECK(a.path() != b.path());
    fs::rename(a.path(), dir / "moved");
    std::ofstream(a.open_path()) << "data";  // still the file created, not a new one
    std::ifstream in(dir / "moved");
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "data");
    CHECK(!fs::exists(a.path()));
    fs::remove_all(dir);
}

TEST_SUITE_END();
