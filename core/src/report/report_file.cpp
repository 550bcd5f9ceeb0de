#include "report/report_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <tuple>

#include "regscan/url.hpp"
#include "report/exclusive_file.hpp"
#include "report/report_name.hpp"
#include "util/json_text.hpp"

namespace regscan::report {

std::string tool_version() { return REGSCAN_VERSION; }

std::filesystem::path report_path(const sdk::ReportRun& run, const std::string& suffix) {
    return std::filesystem::path(run.output_dir.empty() ? "." : run.output_dir) /
           (registry_file_stem(run.registry) + suffix);
}

std::string registry_without_credentials(const std::string& registry_url) {
    if (registry_url.empty()) return registry_url;
    auto url = sdk::parse_url(registry_url);
    return url.origin() + url.path;
}

std::string percent_encode(const std::string& text, const std::string& also_keep) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
            also_keep.find(static_cast<char>(c)) != std::string::npos) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string osv_uri(const std::string& id) { return "https://osv.dev/vulnerability/" + percent_encode(id, ":"); }

void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    // A fresh name per call, created exclusively: two reporters or two runs
    // never share it, and nothing planted in the directory is followed.
    ExclusiveFile temporary(directory, path.filename().string(), "partial");
    const auto& partial = temporary.path();
    try {
        std::ofstream out(temporary.open_path(), ExclusiveFile::no_truncate);
        if (!out) throw std::runtime_error("cannot write " + partial.string());
        write(out);
        if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
        out.close();
        std::filesystem::rename(partial, path);
    } catch (...) {
        std::filesystem::remove(partial, ec);
        throw;
    }
}

void write_file_atomically_fd(const std::filesystem::path& path, const std::function<void(int fd)>& write) {
    auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    ExclusiveFile temporary(directory, path.filename().string(), "partial");
    const auto& partial = temporary.path();
    int fd = -1;
    try {
        // No O_TRUNC: ExclusiveFile::no_truncate says why.
        fd = ::open(temporary.open_path().c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error("cannot write " + partial.string() + ": " + std::strerror(errno));
        write(fd);
        if (::close(std::exchange(fd, -1)) != 0)
            throw std::runtime_error("cannot write " + partial.string() + ": " + std::strerror(errno));
        std::filesystem::rename(partial, path);
    } catch (...) {
        if (fd >= 0) ::close(fd);
        std::filesystem::remove(partial, ec);
        throw;
    }
}

void write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) throw std::runtime_error("cannot write " + what + ": " + std::strerror(errno));
        data.remove_prefix(static_cast<size_t>(written));
    }
}

std::string image_reference(const scan::ImageResult& image) {
    std::string reference = image.registry.empty() ? image.repository : image.registry + "/" + image.repository;
    if (!image.tag.empty()) return reference + ":" + image.tag;
    if (!image.digest.empty()) return reference + "@" + image.digest;
    return reference;
}

namespace {

// The report order, compared without copying a string.
auto image_order(const scan::ImageResult& image) {
    return std::tie(image.registry, image.repository, image.tag, image.platform, image.digest);
}

}  // namespace

ImageSortKey image_sort_key(const scan::ImageResult& image) {
    return std::apply([](const auto&... field) { return ImageSortKey{field...}; }, image_order(image));
}

void sort_images(std::vector<scan::ImageResult>& images) {
    std::stable_sort(images.begin(), images.end(),
                     [](const auto& a, const auto& b) { return image_order(a) < image_order(b); });
}

std::vector<scan::Vulnerability> vulnerabilities_by_severity(const scan::ImageResult& image) {
    auto sorted = image.vulnerabilities;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(-static_cast<int>(a.severity), a.package_name, a.package_version, a.id) <
               std::make_tuple(-static_cast<int>(b.severity), b.package_name, b.package_version, b.id);
    });
    return sorted;
}

std::vector<scan::Misconfiguration> misconfigurations_by_severity(const scan::ImageResult& image) {
    auto sorted = image.misconfigurations;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(-static_cast<int>(a.severity), a.id, a.location) <
               std::make_tuple(-static_cast<int>(b.severity), b.id, b.location);
    });
    return sorted;
}

std::vector<RepositoryFailure> failed_repositories(const nlohmann::json& summary) {
    std::vector<RepositoryFailure> failures;
    if (!summary.is_object() || !summary.contains("failed_repositories") || !summary["failed_repositories"].is_array())
        return failures;
    for (const auto& item : summary["failed_repositories"]) {
        if (item.is_string()) failures.push_back({item.get<std::string>(), ""});
        else if (item.is_object()) failures.push_back({item.value("repository", ""), item.value("error", "")});
    }
    return failures;
}

std::string stopped_run_note(const nlohmann::json& summary) {
    auto count = [&](const char* name) -> int64_t {
        if (!summary.is_object() || !summary.contains(name) || !summary[name].is_number_integer()) return 0;
        return std::max<int64_t>(0, summary[name].get<int64_t>());
    };
    const int64_t images = count("images_stopped");
    const int64_t repositories = count("repositories_stopped");
    if (!images && !repositories) return {};
    std::string left;
    if (images) left = std::to_string(images) + " images were not scanned";
    if (repositories)
        left += (left.empty() ? "" : " and ") + std::to_string(repositories) + " repositories were not listed";
    return "the run was stopped: " + left + " (the next run scans them); their findings are not in this document";
}

std::string dump_json(const nlohmann::json& document) {
    return util::json_text(document, 2) + "\n";
}

std::vector<std::pair<std::string, std::string>> vulnerability_data_properties(const nlohmann::json& summary) {
    std::vector<std::pair<std::string, std::string>> properties;
    if (!summary.is_object() || !summary.contains("vulnerability_data") || !summary["vulnerability_data"].is_object())
        return properties;
    const auto& data = summary["vulnerability_data"];
    for (const char* field : {"last_import", "newest_record", "fingerprint"})
        if (data.value(field, nlohmann::json()).is_string()) properties.emplace_back(field, data[field].get<std::string>());
    if (data.contains("missing_ecosystems") && data["missing_ecosystems"].is_array())
        for (const auto& missing : data["missing_ecosystems"])
            if (missing.is_object() && missing.value("ecosystem", nlohmann::json()).is_string())
                properties.emplace_back("missing_ecosystem", missing["ecosystem"].get<std::string>());
    return properties;
}

}  // namespace regscan::report
