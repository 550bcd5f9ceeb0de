// What every scan report shares: where its file goes, how it is written so a
// reader never sees half of it, the tool's identity, and a stable image order.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

inline constexpr const char* tool_name = "regscan";
// The project's home page, named by SARIF's tool.driver.informationUri and
// the misconfiguration rules' helpUri.
inline constexpr const char* tool_information_uri = "https://github.com/regscan/regscan";

std::string tool_version();

// <output_dir>/<registry stem><suffix>, e.g. suffix "-report.sarif".
std::filesystem::path report_path(const sdk::ReportRun& run, const std::string& suffix);

// The registry URL without user info, so a report never repeats a secret
// typed into the URL: "https://user:pw@reg.example:5443/x" -> "https://reg.example:5443/x".
std::string registry_without_credentials(const std::string& registry_url);

// RFC 3986 percent-encoding of everything but unreserved characters and
// those in `also_keep`.
std::string percent_encode(const std::string& text, const std::string& also_keep = "");

// The OSV page of a vulnerability id: https://osv.dev/vulnerability/<id>
std::string osv_uri(const std::string& id);

// Creates the directory, writes through a uniquely named temporary file
// beside `path`, then renames it over `path`. Throws std::runtime_error.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);
// The same, handing `write` the temporary file's descriptor (for
// copy_file_range, which copies in the kernel).
void write_file_atomically_fd(const std::filesystem::path& path, const std::function<void(int fd)>& write);
// All of `data` to `fd`; throws std::runtime_error naming `what`.
void write_all(int fd, std::string_view data, const std::string& what);

// "reg.example:5000/team/app:1.2"
std::string image_reference(const scan::ImageResult& image);

// Images arrive in the order scans finish; reports list them by reference,
// platform and digest so two runs over the same registry compare line by line.
using ImageSortKey = std::array<std::string, 5>;
ImageSortKey image_sort_key(const scan::ImageResult& image);
void sort_images(std::vector<scan::ImageResult>& images);

// Findings most severe first, then by package and id.
std::vector<scan::Vulnerability> vulnerabilities_by_severity(const scan::ImageResult& image);
std::vector<scan::Misconfiguration> misconfigurations_by_severity(const scan::ImageResult& image);

struct RepositoryFailure {
    std::string repository;
    std::string error;
};

// The summary's "failed_repositories": objects {repository, error}; a plain
// string is read as a repository without a reason.
std::vector<RepositoryFailure> failed_repositories(const nlohmann::json& summary);

// What a stopped run (a signal, a cancelled import) left out, from the
// summary's "images_stopped" and "repositories_stopped"; empty when the run
// was not stopped. Such a document lacks those images' findings.
std::string stopped_run_note(const nlohmann::json& summary);

// The summary's "vulnerability_data" (the data a scan matched against) as
// name/value pairs for a report's properties: last_import, newest_record,
// fingerprint, and each missing ecosystem; empty in a dry run.
std::vector<std::pair<std::string, std::string>> vulnerability_data_properties(const nlohmann::json& summary);

// Pretty JSON; bytes that are not UTF-8 (a package's metadata may hold
// Latin-1) become U+FFFD instead of aborting the report.
std::string dump_json(const nlohmann::json& document);

}  // namespace regscan::report
