// The three rpmdb formats, each giving its header blobs to a callback:
// SQLite (rpm >= 4.16: Fedora 33+, RHEL/Alma/Rocky 9), Berkeley DB hash
// (RHEL/CentOS <= 8) and NDB (SUSE). Each throws std::runtime_error when the
// content is not what it claims to be.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace regscan::catalog::rpm {

using BlobSink = std::function<void(std::string_view header_blob)>;

// A real database stores each header blob once, so all it hands out adds up
// to at most the file's size. More means entries sharing bytes (ndb slots or
// Berkeley DB items pointing at one blob, an SQLite view repeating rows),
// which would make a small file cost unbounded work; each reader spends
// every blob here before handing it out.
class BlobBudget {
public:
    explicit BlobBudget(std::string_view database) : left_(database.size()) {}
    void spend(uint64_t size) {
        if (size > left_) throw std::runtime_error("rpm header blobs add up to more than the database");
        left_ -= size;
    }

private:
    uint64_t left_;
};

void for_each_sqlite_blob(std::string_view database, const BlobSink& sink);
void for_each_bdb_blob(std::string_view database, const BlobSink& sink);
void for_each_ndb_blob(std::string_view database, const BlobSink& sink);

}  // namespace regscan::catalog::rpm
