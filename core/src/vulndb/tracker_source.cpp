#include "vulndb/tracker_source.hpp"

#include <fstream>
#include <string>

#include "vulndb/debian_tracker.hpp"

namespace regscan::vulndb {

void import_debian_tracker(OsvImporter& importer, const std::filesystem::path& path) {
    std::error_code error;
    auto size = std::filesystem::file_size(path, error);
    if (error) {
        importer.reject_source(path.string(), "cannot be read: " + error.message());
        return;
    }
    if (size > max_tracker_size) {
        importer.reject_source(path.string(), "larger than " + std::to_string(max_tracker_size >> 20) +
                                                  " MiB: not taken for the tracker's export");
        return;
    }
    std::string text(size, '\0');
    std::ifstream in(path, std::ios::binary);
    if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
        importer.reject_source(path.string(), "cannot be read");
        return;
    }
    importer.replace_statuses("Debian", debian_tracker_source);
    try {
        read_debian_tracker(text, [&](TrackerStatus&& status) {
            importer.add_status({std::move(status.ecosystem), std::move(status.package),
                                 std::move(status.vulnerability), std::move(status.status)});
        });
    } catch (const TrackerError& e) {
        importer.reject_source(path.string(), e.what());
    }
}

}  // namespace regscan::vulndb
