#include "catalog/rpm_cataloger.hpp"

#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/rpm_header.hpp"
#include "catalog/rpmdb.hpp"

namespace regscan::catalog {

namespace {

enum class Format { none, sqlite, bdb, ndb };

Format format_of(std::string_view path) {
    std::string_view file;
    for (std::string_view dir : {"/var/lib/rpm/", "/usr/lib/sysimage/rpm/"}) {
        if (path.starts_with(dir)) file = path.substr(dir.size());
    }
    if (file == "rpmdb.sqlite") return Format::sqlite;
    if (file == "Packages") return Format::bdb;
    if (file == "Packages.db") return Format::ndb;
    return Format::none;
}

scan::Package to_package(const rpm::HeaderInfo& header, const std::string& location) {
    scan::Package package;
    package.type = "rpm";
    package.name = header.name;
    package.version = rpm::evr(header);
    package.source_name = header.name;
    package.source_version = package.version;
    if (auto source = rpm::parse_source_rpm(header.source_rpm)) {
        package.source_name = source->name;
        // A source rpm's file name has no epoch; it is the binary's.
        std::string epoch = header.epoch && *header.epoch != 0 ? std::to_string(*header.epoch) + ":" : "";
        package.source_version = epoch + source->version;
    }
    std::string version_release = header.version + (header.release.empty() ? "" : "-" + header.release);
    std::string epoch = header.epoch && *header.epoch != 0 ? std::to_string(*header.epoch) : "";
    package.purl = purl::make("rpm", "", header.name, version_release, {{"arch", header.arch}, {"epoch", epoch}});
    package.location = location;
    license::add_declared(package.licenses, header.license);
    return package;
}

}  // namespace

bool RpmCataloger::wants(const FileInfo& file) const { return format_of(file.path) != Format::none; }

void RpmCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    FileBudget budget(file);
    size_t unreadable = 0;
    size_t found = 0;
    std::string first_error;
    auto take = [&](std::string_view blob) {
        try {
            rpm::HeaderInfo header = rpm::read_header_blob(blob);
            // Imported signing keys live in the rpmdb as pseudo-packages.
            if (header.name == "gpg-pubkey") return;
            facts.packages.push_back(to_package(header, file.path));
            budget.add(facts.packages.back());  // FileBudgetExceeded is no runtime_error: not caught below
            ++found;
        } catch (const std::runtime_error& error) {
            if (unreadable++ == 0) first_error = error.what();
        }
    };
    Format format = format_of(file.path);
    try {
        if (format == Format::sqlite) rpm::for_each_sqlite_blob(content, take);
        else if (format == Format::bdb) rpm::for_each_bdb_blob(content, take);
        else if (format == Format::ndb) rpm::for_each_ndb_blob(content, take);
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(file.path + ": " + error.what());
    }
    if (format == Format::bdb || format == Format::ndb) {
        // Said once per database: these formats are read by regscan's own
        // readers, not by rpm, which is worth knowing when a result surprises.
        facts.notes.push_back(file.path + ": " +
                              (format == Format::bdb ? "Berkeley DB rpmdb (the format before rpm 4.16)"
                                                     : "ndb rpmdb (SUSE)") +
                              " read with regscan's own reader: " + std::to_string(found) + " packages");
    }
    if (unreadable > 0) {
        facts.notes.push_back(file.path + ": " + std::to_string(unreadable) +
                              " rpm headers unreadable and left out, first: " + first_error);
    }
}

}  // namespace regscan::catalog
