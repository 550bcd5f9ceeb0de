#include "vulndb/osv_sources.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

namespace regscan::vulndb {
namespace {

bool has_extension(const std::filesystem::path& path, const char* extension) {
    return util::ascii_lower(path.extension().string()) == extension;
}

void import_json_file(OsvImporter& importer, const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        importer.reject_source(path.string(), "cannot be read");
        return;
    }
    std::ostringstream content;
    content << in.rdbuf();
    importer.add(content.str(), path.string());
}

void import_zip(OsvImporter& importer, const std::filesystem::path& path) {
    std::unique_ptr<archive, decltype(&archive_read_free)> zip(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(zip.get());
    if (archive_read_open_filename(zip.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
        importer.reject_source(path.string(), std::string("not a readable zip archive: ") +
                                                  archive_error_string(zip.get()));
        return;
    }
    archive_entry* entry = nullptr;
    std::string content;
    while (true) {
        int rc = archive_read_next_header(zip.get(), &entry);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            importer.reject_source(path.string(), std::string("corrupt zip archive: ") + archive_error_string(zip.get()));
            return;
        }
        std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
        if (archive_entry_filetype(entry) != AE_IFREG || !has_extension(name, ".json")) continue;
        std::string origin = path.string() + "!" + name;
        content.clear();
        char buffer[65536];
        la_ssize_t got;
        while ((got = archive_read_data(zip.get(), buffer, sizeof buffer)) > 0) content.append(buffer, static_cast<size_t>(got));
        if (got < 0) {
            importer.reject_source(origin, std::string("cannot be extracted: ") + archive_error_string(zip.get()));
            continue;
        }
        importer.add(content, origin);
    }
}

}  // namespace

void import_path(OsvImporter& importer, const std::filesystem::path& path) {
    std::error_code error;
    auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
        importer.reject_source(path.string(), "no such file or directory");
        return;
    }
    if (std::filesystem::is_directory(status)) {
        std::vector<std::filesystem::path> files;
        for (auto it = std::filesystem::recursive_directory_iterator(path, error);
             !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error))
            if (it->is_regular_file() && (has_extension(it->path(), ".json") || has_extension(it->path(), ".zip")))
                files.push_back(it->path());
        if (error) importer.reject_source(path.string(), "cannot be walked: " + error.message());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) import_path(importer, file);
        return;
    }
    if (has_extension(path, ".zip"))
        import_zip(importer, path);
    else
        import_json_file(importer, path);
}

}  // namespace regscan::vulndb
